package io.mlserve.recommend.algo;

/**
 * Top-k selection over a dense score array with a bounded min-heap on primitive arrays: O(n log k), no boxing and
 * no per-candidate allocation. Generic libraries (Guava's {@code Ordering.leastOf}, a {@code PriorityQueue})
 * box every candidate; this runs once per user per algorithm over the whole catalogue, so it is hand-written.
 * Ties break by {@code tieBreak} (popularity) and then by the lower index, so results are deterministic.
 */
public final class TopK {
  private TopK() {
  }

  /**
   * The {@code k} best indices of {@code scores} with score > {@code floor} (use {@code Float.NEGATIVE_INFINITY}
   * to allow any), best first. Entries set to {@code NaN} are never selected (callers mark excluded items so).
   */
  public static ScoredItems select(float[] scores, int k, float floor, float[] tieBreak) {
    int[] heapItems = new int[Math.max(0, k)];
    float[] heapScores = new float[Math.max(0, k)];
    int size = 0;
    for (int i = 0; i < scores.length && k > 0; i++) {
      float s = scores[i];
      if (!(s > floor)) {
        continue; // also skips NaN
      }
      if (size < k) {
        heapItems[size] = i;
        heapScores[size] = s;
        siftUp(heapItems, heapScores, size, tieBreak);
        size++;
      } else if (better(s, i, heapScores[0], heapItems[0], tieBreak)) {
        heapItems[0] = i;
        heapScores[0] = s;
        siftDown(heapItems, heapScores, size, tieBreak);
      }
    }
    int[] items = new int[size];
    float[] out = new float[size];
    // pop the worst repeatedly into the back of the result
    for (int n = size - 1; n >= 0; n--) {
      items[n] = heapItems[0];
      out[n] = heapScores[0];
      heapItems[0] = heapItems[n];
      heapScores[0] = heapScores[n];
      siftDown(heapItems, heapScores, n, tieBreak);
    }
    return new ScoredItems(items, out);
  }

  static boolean better(float s1, int i1, float s2, int i2, float[] tieBreak) {
    if (s1 != s2) {
      return s1 > s2;
    }
    if (tieBreak != null && tieBreak[i1] != tieBreak[i2]) {
      return tieBreak[i1] > tieBreak[i2];
    }
    return i1 < i2;
  }

  private static void siftUp(int[] items, float[] scores, int pos, float[] tb) {
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (!better(scores[parent], items[parent], scores[pos], items[pos], tb)) {
        break; // parent is already the worse one
      }
      swap(items, scores, parent, pos);
      pos = parent;
    }
  }

  private static void siftDown(int[] items, float[] scores, int size, float[] tb) {
    int pos = 0;
    while (true) {
      int l = 2 * pos + 1;
      if (l >= size) {
        return;
      }
      int worst = l;
      int r = l + 1;
      if (r < size && better(scores[l], items[l], scores[r], items[r], tb)) {
        worst = r;
      }
      if (!better(scores[pos], items[pos], scores[worst], items[worst], tb)) {
        return;
      }
      swap(items, scores, pos, worst);
      pos = worst;
    }
  }

  private static void swap(int[] items, float[] scores, int a, int b) {
    int ti = items[a];
    items[a] = items[b];
    items[b] = ti;
    float ts = scores[a];
    scores[a] = scores[b];
    scores[b] = ts;
  }
}
