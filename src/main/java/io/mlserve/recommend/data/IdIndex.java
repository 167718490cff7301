package io.mlserve.recommend.data;

import java.util.Arrays;

/**
 * Dense indices 0..n-1 for external ids, in ascending id order (so models are the same whatever order ratings
 * arrived in). Lookup is a binary search over a sorted int[]: no boxing, 4 bytes per id.
 */
public final class IdIndex {
  private final int[] ids;

  private IdIndex(int[] sortedUniqueIds) {
    this.ids = sortedUniqueIds;
  }

  /** Index over the distinct values of {@code values[0..n)}. */
  public static IdIndex of(int[] values, int n) {
    int[] copy = Arrays.copyOf(values, n);
    Arrays.sort(copy);
    int m = 0;
    for (int i = 0; i < copy.length; i++) {
      if (i == 0 || copy[i] != copy[i - 1]) {
        copy[m++] = copy[i];
      }
    }
    return new IdIndex(Arrays.copyOf(copy, m));
  }

  public int size() {
    return ids.length;
  }

  /** The dense index of an external id, or -1 when unknown. */
  public int indexOf(int id) {
    int i = Arrays.binarySearch(ids, id);
    return i >= 0 ? i : -1;
  }

  public int idAt(int index) {
    return ids[index];
  }
}
