package io.mlserve.recommend.algo;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.UserHistory;

import java.util.EnumMap;
import java.util.Map;

/**
 * Every algorithm fitted on one snapshot of the interactions. Ranking for a user is plain Java over primitive
 * arrays: fitting is parallel over the given {@link Parallel}; {@link #recommend} is thread-safe given one
 * {@link Workspace} per thread.
 */
public final class RecsModel {
  private final InteractionMatrix matrix;
  private final RecsParams params;
  private final Popularity popularity;
  private final ItemKnn itemKnn;
  private final UserKnn userKnn;
  private final ClusterModel clusters;
  private final long itemFitMillis;
  private final long clusterFitMillis;

  private RecsModel(InteractionMatrix matrix, RecsParams params, Popularity popularity, ItemKnn itemKnn,
                    UserKnn userKnn, ClusterModel clusters, long itemFitMillis, long clusterFitMillis) {
    this.matrix = matrix;
    this.params = params;
    this.popularity = popularity;
    this.itemKnn = itemKnn;
    this.userKnn = userKnn;
    this.clusters = clusters;
    this.itemFitMillis = itemFitMillis;
    this.clusterFitMillis = clusterFitMillis;
  }

  public static RecsModel fit(InteractionMatrix m, RecsParams p, Parallel parallel, Progress progress) {
    Popularity pop = new Popularity(m);
    progress.phase("item similarities", m.itemCount());
    long t0 = System.nanoTime();
    ItemKnn item = ItemKnn.fit(m, p.itemNeighbours(), p.itemAlpha(), parallel, progress);
    long t1 = System.nanoTime();
    progress.phase("k-means", p.kmeansIterations());
    ClusterModel cl = ClusterModel.fit(m, p.clusters(), p.kmeansIterations(), p.seed(), parallel, progress);
    long t2 = System.nanoTime();
    UserKnn user = new UserKnn(m, p.userNeighbours(), p.userSimilarity(), p.userSimPower());
    return new RecsModel(m, p, pop, item, user, cl, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
  }

  public InteractionMatrix matrix() {
    return matrix;
  }

  public RecsParams params() {
    return params;
  }

  public Popularity popularity() {
    return popularity;
  }

  public ClusterModel clusters() {
    return clusters;
  }

  public ItemKnn itemKnn() {
    return itemKnn;
  }

  /** Time spent fitting what an algorithm needs before it can rank (item similarities, k-means). */
  public long fitMillis(Algo algo) {
    return switch (algo) {
      case ITEM, HYBRID -> itemFitMillis;
      case CLUSTER -> clusterFitMillis;
      default -> 0;
    };
  }

  /** Per-thread scratch arrays, reused across users. */
  public final class Workspace {
    final float[] a = new float[matrix.itemCount()];
    final float[] b = new float[matrix.itemCount()];
    final UserKnn.Scratch users = userKnn.newScratch();
  }

  public Workspace newWorkspace() {
    return new Workspace();
  }

  /** Whether a user with this history gets the popularity fallback instead of personal recommendations. */
  public boolean isCold(UserHistory h) {
    return h.size() < Math.max(1, params.minInteractions());
  }

  /** The history of a user known to the model (by external id), or an empty one for an unknown user. */
  public UserHistory historyOf(int userId) {
    int u = matrix.users().indexOf(userId);
    return u < 0 ? new UserHistory(-1, new int[0], new float[0]) : matrix.history(u);
  }

  /** Top-{@code n} unseen items of one algorithm; cold users get popularity. */
  public ScoredItems recommend(Algo algo, UserHistory h, int n, Workspace ws) {
    if (algo == Algo.POPULARITY || isCold(h)) {
      return popularity.recommend(h, n, ws.a, matrix.userCount());
    }
    return switch (algo) {
      case ITEM -> rank(ws.a, h, n, () -> itemKnn.score(h, ws.a));
      case USER -> rank(ws.a, h, n, () -> userKnn.score(h, ws.a, ws.users));
      case CLUSTER -> rank(ws.a, h, n, () -> clusters.score(h, ws.a));
      case HYBRID -> {
        clear(ws.a);
        clear(ws.b);
        userKnn.score(h, ws.a, ws.users);
        itemKnn.score(h, ws.b);
        blend(ws.a, ws.b, h);
        yield select(ws.a, h, n);
      }
      default -> throw new IllegalArgumentException(algo.id());
    };
  }

  /** The four served algorithms at once, sharing the user- and item-based scores with the hybrid. */
  public Map<Algo, ScoredItems> recommendAll(UserHistory h, int n, Workspace ws) {
    Map<Algo, ScoredItems> out = new EnumMap<>(Algo.class);
    if (isCold(h)) {
      ScoredItems pop = popularity.recommend(h, n, ws.a, matrix.userCount());
      for (Algo a : Algo.SERVED) {
        out.put(a, pop);
      }
      return out;
    }
    clear(ws.a);
    clear(ws.b);
    userKnn.score(h, ws.a, ws.users);
    itemKnn.score(h, ws.b);
    out.put(Algo.USER, selectKeep(ws.a, h, n));
    out.put(Algo.ITEM, selectKeep(ws.b, h, n));
    blend(ws.a, ws.b, h);
    out.put(Algo.HYBRID, select(ws.a, h, n));
    out.put(Algo.CLUSTER, rank(ws.a, h, n, () -> clusters.score(h, ws.a)));
    return out;
  }

  private ScoredItems rank(float[] scores, UserHistory h, int n, Runnable fill) {
    clear(scores);
    fill.run();
    return select(scores, h, n);
  }

  /** Top-n of the scores with the user's items excluded; items with no evidence are filled by popularity. */
  private ScoredItems select(float[] scores, UserHistory h, int n) {
    for (int i : h.items()) {
      scores[i] = Float.NaN;
    }
    return TopK.select(scores, n, Float.NEGATIVE_INFINITY, popularity.counts());
  }

  /** Like {@link #select} but leaves the scores as they were (they feed the hybrid next). */
  private ScoredItems selectKeep(float[] scores, UserHistory h, int n) {
    float[] saved = new float[h.size()];
    for (int x = 0; x < h.size(); x++) {
      saved[x] = scores[h.items()[x]];
    }
    ScoredItems top = select(scores, h, n);
    for (int x = 0; x < h.size(); x++) {
      scores[h.items()[x]] = saved[x];
    }
    return top;
  }

  /** a := w·a/max(a) + (1-w)·b/max(b), maxima over the items the user has not seen. */
  private void blend(float[] a, float[] b, UserHistory h) {
    float maxA = maxUnseen(a, h);
    float maxB = maxUnseen(b, h);
    float wa = maxA > 0 ? (float) (params.hybridUserWeight() / maxA) : 0;
    float wb = maxB > 0 ? (float) ((1 - params.hybridUserWeight()) / maxB) : 0;
    for (int i = 0; i < a.length; i++) {
      a[i] = wa * a[i] + wb * b[i];
    }
  }

  private static float maxUnseen(float[] s, UserHistory h) {
    float max = 0;
    int[] seen = h.items();
    int x = 0;
    for (int i = 0; i < s.length; i++) {
      while (x < seen.length && seen[x] < i) {
        x++;
      }
      if (x < seen.length && seen[x] == i) {
        continue;
      }
      if (s[i] > max) {
        max = s[i];
      }
    }
    return max;
  }

  private static void clear(float[] a) {
    java.util.Arrays.fill(a, 0f);
  }
}
