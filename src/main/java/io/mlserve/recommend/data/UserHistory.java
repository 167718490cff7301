package io.mlserve.recommend.data;

import java.util.Arrays;

/**
 * What one user has rated, as item indices of a model's {@link InteractionMatrix} (ascending) and the ratings.
 * {@code userIndex} is the user's row in that matrix, or -1 for a user the model has not seen (a user-based
 * model must not pick the user as their own neighbour).
 */
public record UserHistory(int userIndex, int[] items, float[] ratings) {
  public int size() {
    return items.length;
  }

  public boolean contains(int item) {
    return Arrays.binarySearch(items, item) >= 0;
  }

  public double meanRating() {
    double s = 0;
    for (float r : ratings) {
      s += r;
    }
    return items.length == 0 ? 0 : s / items.length;
  }

  /**
   * A history from external ids mapped through the model's item index; unknown items are dropped (the model
   * cannot score from them) and a repeated item keeps its last rating.
   */
  public static UserHistory fromExternal(int userIndex, int[] itemIds, float[] ratings, IdIndex items) {
    long[] packed = new long[itemIds.length];
    int n = 0;
    for (int i = 0; i < itemIds.length; i++) {
      int idx = items.indexOf(itemIds[i]);
      if (idx >= 0) {
        packed[n++] = ((long) idx << 32) | i;
      }
    }
    Arrays.sort(packed, 0, n);
    int[] outItems = new int[n];
    float[] outRatings = new float[n];
    int m = 0;
    for (int p = 0; p < n; p++) {
      int item = (int) (packed[p] >>> 32);
      if (p + 1 == n || (int) (packed[p + 1] >>> 32) != item) {
        outItems[m] = item;
        outRatings[m] = ratings[(int) packed[p]];
        m++;
      }
    }
    return new UserHistory(userIndex, Arrays.copyOf(outItems, m), Arrays.copyOf(outRatings, m));
  }
}
