package io.mlserve.recommend.algo;

/** Ranked items (model indices, best first) with their scores. */
public record ScoredItems(int[] items, float[] scores) {
  public int size() {
    return items.length;
  }

  public static ScoredItems empty() {
    return new ScoredItems(new int[0], new float[0]);
  }
}
