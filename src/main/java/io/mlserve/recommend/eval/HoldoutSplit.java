package io.mlserve.recommend.eval;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingsBuffer;

import java.util.SplittableRandom;

/**
 * Per-user random hold-out: for each user, a seeded shuffle of their (deduplicated) ratings puts
 * {@code round(fraction × n)} in the test set and the rest in training. Every user keeps at least one training
 * rating, so every test user can be ranked.
 */
public final class HoldoutSplit {
  private final RatingsBuffer train;
  private final int[] testUsers;
  private final int[][] testItems;

  private HoldoutSplit(RatingsBuffer train, int[] testUsers, int[][] testItems) {
    this.train = train;
    this.testUsers = testUsers;
    this.testItems = testItems;
  }

  public static HoldoutSplit of(RatingsBuffer all, double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("hold-out fraction must be between 0 and 1, got " + fraction);
    }
    InteractionMatrix m = InteractionMatrix.of(all);
    SplittableRandom rnd = new SplittableRandom(seed);
    RatingsBuffer train = new RatingsBuffer(m.nnz());
    int[] users = new int[m.userCount()];
    int[][] test = new int[m.userCount()][];
    int t = 0;
    for (int u = 0; u < m.userCount(); u++) {
      int n = m.rowLength(u);
      int[] pos = new int[n];
      for (int x = 0; x < n; x++) {
        pos[x] = m.rowStart(u) + x;
      }
      for (int x = n - 1; x > 0; x--) {
        int j = rnd.nextInt(x + 1);
        int tmp = pos[x];
        pos[x] = pos[j];
        pos[j] = tmp;
      }
      int nTest = Math.min(n - 1, (int) Math.round(fraction * n));
      int userId = m.users().idAt(u);
      int[] ti = new int[Math.max(0, nTest)];
      for (int x = 0; x < n; x++) {
        int p = pos[x];
        int itemId = m.items().idAt(m.rowItems()[p]);
        if (x < nTest) {
          ti[x] = itemId;
        } else {
          train.add(userId, itemId, m.rowRatings()[p], 0);
        }
      }
      if (nTest > 0) {
        users[t] = userId;
        test[t] = ti;
        t++;
      }
    }
    return new HoldoutSplit(train, java.util.Arrays.copyOf(users, t), java.util.Arrays.copyOf(test, t));
  }

  public RatingsBuffer train() {
    return train;
  }

  /** External ids of the users with held-out items. */
  public int[] testUsers() {
    return testUsers;
  }

  /** Held-out external item ids of {@code testUsers()[i]}. */
  public int[] testItems(int i) {
    return testItems[i];
  }

  public int testCount() {
    int n = 0;
    for (int[] t : testItems) {
      n += t.length;
    }
    return n;
  }
}
