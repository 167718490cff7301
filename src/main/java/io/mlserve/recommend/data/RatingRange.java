package io.mlserve.recommend.data;

/** The accepted rating values, inclusive (default 0.5-5, the MovieLens scale). */
public record RatingRange(double min, double max) {
  public RatingRange {
    if (!(min <= max)) {
      throw new IllegalArgumentException("rating range min " + min + " > max " + max);
    }
  }

  public boolean contains(double r) {
    return r >= min && r <= max;
  }

  public static RatingRange defaults() {
    return new RatingRange(0.5, 5.0);
  }

  @Override
  public String toString() {
    return min + "-" + max;
  }
}
