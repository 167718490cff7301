package io.mlserve.recommend.algo;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.UserHistory;

/** Items by how many users interacted with them: the baseline and the fallback for cold or unknown users. */
public final class Popularity {
  private final float[] counts;

  public Popularity(InteractionMatrix m) {
    counts = new float[m.itemCount()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = m.colLength(i);
    }
  }

  /** Interaction counts by item index; also the tie-break of every other ranking. */
  public float[] counts() {
    return counts;
  }

  /** The {@code n} most popular items the user has not seen, scores = share of users who have the item. */
  public ScoredItems recommend(UserHistory h, int n, float[] scratch, int users) {
    System.arraycopy(counts, 0, scratch, 0, counts.length);
    for (int i : h.items()) {
      scratch[i] = Float.NaN;
    }
    ScoredItems top = TopK.select(scratch, n, Float.NEGATIVE_INFINITY, null);
    float[] s = top.scores();
    for (int i = 0; i < s.length; i++) {
      s[i] = users == 0 ? 0 : s[i] / users;
    }
    return top;
  }
}
