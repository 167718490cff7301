package io.mlserve.recommend.algo;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.UserHistory;

/**
 * User-based collaborative filtering. For one user, similarities to every other user who shares an item are
 * accumulated by walking the item columns (sparse × sparse, so only overlapping users are touched), the top-N
 * neighbours are kept, and item j scores the sum of sim(u, v)^p over neighbours v who have j.
 *
 * <p>Similarity is {@code cosine} over who-rated-what (each interaction weighs 1) or {@code centered}: cosine of
 * mean-centred ratings (Pearson-like over the union of items). The first ranks better for "what will they watch";
 * the second is there for rating-style neighbourhoods (see the README's quality table).
 */
public final class UserKnn {
  private final InteractionMatrix m;
  private final int neighbours;
  private final boolean centered;
  private final double power;
  private final float[] userMean;
  private final float[] userNorm;

  public UserKnn(InteractionMatrix m, int neighbours, String similarity, double power) {
    this.m = m;
    this.neighbours = neighbours;
    this.centered = "centered".equals(similarity);
    this.power = power;
    int n = m.userCount();
    userMean = new float[n];
    userNorm = new float[n];
    float[] r = m.rowRatings();
    for (int u = 0; u < n; u++) {
      double sum = 0;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        sum += r[p];
      }
      int len = m.rowLength(u);
      double mean = len == 0 ? 0 : sum / len;
      double sq = 0;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        double w = centered ? r[p] - mean : 1;
        sq += w * w;
      }
      userMean[u] = (float) mean;
      userNorm[u] = (float) Math.sqrt(sq);
    }
  }

  /** Scratch space for one thread: a similarity accumulator over users and the list of users it touched. */
  public static final class Scratch {
    final float[] acc;
    final int[] touched;

    Scratch(int users) {
      acc = new float[users];
      touched = new int[users];
    }
  }

  public Scratch newScratch() {
    return new Scratch(m.userCount());
  }

  /**
   * Adds the user's user-based scores into {@code out} (length = item count), using one thread's scratch (left
   * clean for the next call).
   */
  public void score(UserHistory h, float[] out, Scratch scratch) {
    float[] userAcc = scratch.acc;
    int[] touched = scratch.touched;
    int[] colUsers = m.colUsers();
    float[] colRatings = m.colRatings();
    double mean = h.meanRating();
    double norm = 0;
    int t = 0;
    int[] hi = h.items();
    float[] hr = h.ratings();
    for (int x = 0; x < hi.length; x++) {
      double wu = centered ? hr[x] - mean : 1;
      norm += wu * wu;
      if (wu == 0) {
        continue;
      }
      int i = hi[x];
      for (int p = m.colStart(i); p < m.colEnd(i); p++) {
        int v = colUsers[p];
        if (v == h.userIndex()) {
          continue;
        }
        double wv = centered ? colRatings[p] - userMean[v] : 1;
        if (userAcc[v] == 0) {
          touched[t++] = v;
        }
        userAcc[v] += (float) (wu * wv);
        if (userAcc[v] == 0) {
          userAcc[v] = Float.MIN_VALUE; // keep "touched" distinguishable from untouched
        }
      }
    }
    norm = Math.sqrt(norm);
    for (int x = 0; x < t; x++) {
      int v = touched[x];
      double d = norm * userNorm[v];
      userAcc[v] = d == 0 ? 0 : (float) (userAcc[v] / d);
    }
    ScoredItems top = TopK.select(userAcc, neighbours, 0f, null);
    for (int x = 0; x < t; x++) {
      userAcc[touched[x]] = 0;
    }
    int[] rowItems = m.rowItems();
    for (int x = 0; x < top.size(); x++) {
      int v = top.items()[x];
      float w = (float) (power == 1.0 ? top.scores()[x] : Math.pow(top.scores()[x], power));
      for (int p = m.rowStart(v); p < m.rowEnd(v); p++) {
        out[rowItems[p]] += w;
      }
    }
  }
}
