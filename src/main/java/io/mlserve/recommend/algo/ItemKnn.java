package io.mlserve.recommend.algo;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.UserHistory;

/**
 * Item-based collaborative filtering. Item-item similarity is the (asymmetric) cosine over the sparse who-rated-what
 * matrix, computed per item by walking its users' rows into a dense accumulator (cost = sum over users of their row
 * length squared, parallel over items); only the top-K neighbours of each item are kept, in flat primitive
 * arrays. A user's score for item j is the sum of the similarities of j to the items the user has.
 */
public final class ItemKnn {
  private final int k;
  private final int[] nbrCount;
  private final int[] nbrItems;
  private final float[] nbrSims;

  private ItemKnn(int k, int[] nbrCount, int[] nbrItems, float[] nbrSims) {
    this.k = k;
    this.nbrCount = nbrCount;
    this.nbrItems = nbrItems;
    this.nbrSims = nbrSims;
  }

  public static ItemKnn fit(InteractionMatrix m, int neighbours, double alpha, Parallel parallel, Progress progress) {
    int n = m.itemCount();
    int k = Math.min(neighbours, Math.max(1, n - 1));
    int[] count = new int[n];
    int[] items = new int[n * k];
    float[] sims = new float[n * k];
    double[] normA = new double[n];
    double[] normB = new double[n];
    for (int i = 0; i < n; i++) {
      normA[i] = Math.pow(Math.max(1, m.colLength(i)), alpha);
      normB[i] = Math.pow(Math.max(1, m.colLength(i)), 1 - alpha);
    }
    int[] rowItems = m.rowItems();
    int[] colUsers = m.colUsers();
    parallel.forRange(n, parallel.chunkFor(n, 8), (from, to) -> {
      float[] acc = new float[n];
      int[] touched = new int[n];
      for (int i = from; i < to; i++) {
        progress.checkCancelled();
        int t = 0;
        for (int p = m.colStart(i); p < m.colEnd(i); p++) {
          int u = colUsers[p];
          for (int q = m.rowStart(u); q < m.rowEnd(u); q++) {
            int j = rowItems[q];
            if (acc[j] == 0) {
              touched[t++] = j;
            }
            acc[j] += 1;
          }
        }
        acc[i] = 0; // never its own neighbour
        for (int x = 0; x < t; x++) {
          int j = touched[x];
          if (acc[j] > 0) {
            acc[j] = (float) (acc[j] / (normA[i] * normB[j]));
          }
        }
        ScoredItems top = TopK.select(acc, k, 0f, null);
        count[i] = top.size();
        System.arraycopy(top.items(), 0, items, i * k, top.size());
        System.arraycopy(top.scores(), 0, sims, i * k, top.size());
        for (int x = 0; x < t; x++) {
          acc[touched[x]] = 0;
        }
      }
      progress.advance(to - from);
    });
    return new ItemKnn(k, count, items, sims);
  }

  /** Adds the user's item-based scores into {@code out} (length = item count). */
  public void score(UserHistory h, float[] out) {
    for (int i : h.items()) {
      int base = i * k;
      for (int x = 0; x < nbrCount[i]; x++) {
        out[nbrItems[base + x]] += nbrSims[base + x];
      }
    }
  }

  /** Neighbours kept per item. */
  public int neighbours() {
    return k;
  }

  /** The kept neighbours of one item, best first (for inspection and tests). */
  public ScoredItems neighboursOf(int item) {
    int c = nbrCount[item];
    int[] it = new int[c];
    float[] s = new float[c];
    System.arraycopy(nbrItems, item * k, it, 0, c);
    System.arraycopy(nbrSims, item * k, s, 0, c);
    return new ScoredItems(it, s);
  }
}
