package io.mlserve.recommend.data;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Seeded synthetic ratings shaped like MovieLens: users belong to taste groups and mostly rate items of their
 * group, item popularity is Zipf-skewed, user activity is heavy-tailed (a few users rate a lot), ratings are
 * higher inside the user's taste. The structure is what the recommenders should find, so tests can check that
 * they recover held-out items far better than chance.
 */
public final class SyntheticRatings {
  /** Share of a user's ratings drawn from their own taste group. */
  public static final double IN_GROUP = 0.7;

  private SyntheticRatings() {
  }

  /** The taste group of a user or item in data made with {@code groups} groups (ids start at 1). */
  public static int groupOfUser(int userId, int groups) {
    return (userId - 1) % groups;
  }

  public static int groupOfItem(int itemId, int groups) {
    return (itemId - 1) % groups;
  }

  public static int defaultGroups(int items) {
    return Math.max(2, Math.min(18, items / 100));
  }

  public static RatingsBuffer generate(int users, int items, int ratings, long seed) {
    return generate(users, items, ratings, seed, defaultGroups(items));
  }

  public static RatingsBuffer generate(int users, int items, int ratings, long seed, int groups) {
    if (users < 1 || items < 2 || ratings < users) {
      throw new IllegalArgumentException("need users >= 1, items >= 2 and ratings >= users");
    }
    if ((long) ratings > (long) users * items / 2) {
      throw new IllegalArgumentException("ratings must be at most users * items / 2 = " + (long) users * items / 2);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    // item popularity: Zipf over a random permutation, so popular items are spread over the groups
    int[] rank = permutation(items, rnd);
    double[] weight = new double[items];
    for (int i = 0; i < items; i++) {
      weight[i] = 1.0 / Math.pow(rank[i] + 3, 1.2);
    }
    double[] globalCdf = cdf(weight, i -> true);
    double[][] groupCdf = new double[groups][];
    for (int g = 0; g < groups; g++) {
      int gg = g;
      groupCdf[g] = cdf(weight, i -> groupOfItem(i + 1, groups) == gg);
    }
    int[] perUser = activity(users, items, ratings, rnd);
    RatingsBuffer out = new RatingsBuffer(ratings);
    BitSet seen = new BitSet(items);
    long ts = 880_000_000L;
    for (int u = 0; u < users; u++) {
      int userId = u + 1;
      int g = groupOfUser(userId, groups);
      seen.clear();
      for (int r = 0; r < perUser[u]; r++) {
        boolean inGroup = rnd.nextDouble() < IN_GROUP;
        int item = -1;
        for (int attempt = 0; attempt < 20 && item < 0; attempt++) {
          int c = sample(inGroup ? groupCdf[g] : globalCdf, rnd);
          if (!seen.get(c)) {
            item = c;
          }
        }
        if (item < 0) {
          item = seen.nextClearBit(rnd.nextInt(items));
          if (item >= items) {
            item = seen.nextClearBit(0);
          }
        }
        seen.set(item);
        boolean liked = groupOfItem(item + 1, groups) == g;
        double mean = liked ? 4.1 : 2.9;
        int rating = (int) Math.max(1, Math.min(5, Math.round(mean + rnd.nextGaussian() * 0.9)));
        ts += 1 + rnd.nextInt(600);
        out.add(userId, item + 1, rating, ts);
      }
    }
    return out;
  }

  /** Ratings per user: heavy-tailed, at least min(20, ratings/users), at most half the catalogue, summing exactly. */
  private static int[] activity(int users, int items, int ratings, SplittableRandom rnd) {
    int cap = Math.max(1, items / 2);
    int floor = Math.max(1, Math.min(20, ratings / users));
    double[] w = new double[users];
    double sum = 0;
    for (int u = 0; u < users; u++) {
      w[u] = Math.exp(rnd.nextGaussian() * 1.0);
      sum += w[u];
    }
    int[] n = new int[users];
    long total = 0;
    for (int u = 0; u < users; u++) {
      n[u] = (int) Math.max(floor, Math.min(cap, Math.floor((ratings - (long) floor * users) * w[u] / sum) + floor));
      total += n[u];
    }
    // spread the rounding difference one by one, skipping users at a bound
    int u = 0;
    while (total != ratings) {
      if (total < ratings && n[u] < cap) {
        n[u]++;
        total++;
      } else if (total > ratings && n[u] > floor) {
        n[u]--;
        total--;
      }
      u = (u + 1) % users;
    }
    return n;
  }

  private static int[] permutation(int n, SplittableRandom rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static double[] cdf(double[] weight, java.util.function.IntPredicate include) {
    double[] c = new double[weight.length];
    double acc = 0;
    for (int i = 0; i < weight.length; i++) {
      acc += include.test(i) ? weight[i] : 0;
      c[i] = acc;
    }
    return c;
  }

  private static int sample(double[] cdf, SplittableRandom rnd) {
    double x = rnd.nextDouble() * cdf[cdf.length - 1];
    int i = Arrays.binarySearch(cdf, x);
    i = i >= 0 ? i + 1 : -i - 1;
    // skip zero-weight entries (items outside the group share the previous cumulative value)
    while (i < cdf.length - 1 && (i == 0 ? cdf[0] : cdf[i] - cdf[i - 1]) == 0) {
      i++;
    }
    return Math.min(i, cdf.length - 1);
  }
}
