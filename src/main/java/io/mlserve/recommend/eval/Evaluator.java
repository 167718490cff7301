package io.mlserve.recommend.eval;

import io.mlserve.recommend.algo.Algo;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.algo.Progress;
import io.mlserve.recommend.algo.RecsModel;
import io.mlserve.recommend.algo.RecsParams;
import io.mlserve.recommend.algo.ScoredItems;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.UserHistory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline evaluation: per-user random hold-out, fit on the training part, rank every item each user has not seen in
 * training, score the top k against the held-out items.
 */
public final class Evaluator {
  /** What one algorithm scored; {@code seconds} = its fitting plus ranking every test user. */
  public record Result(double precision, double recall, double ndcg, double map, double coverage, double seconds,
                       int users) {
  }

  /** Everything the algorithms seem to have learned: also reports whether any seen item leaked into a ranking. */
  public record Report(Map<Algo, Result> results, int trainRatings, int testRatings, int users, int items,
                       long seenLeaks) {
  }

  private Evaluator() {
  }

  public static final List<Algo> EVALUATED = List.of(Algo.USER, Algo.ITEM, Algo.HYBRID, Algo.CLUSTER, Algo.POPULARITY);

  public static Report run(RatingsBuffer ratings, double holdout, int k, long seed, RecsParams params,
                           Parallel parallel) {
    return run(HoldoutSplit.of(ratings, holdout, seed), k, params, parallel, EVALUATED);
  }

  public static Report run(HoldoutSplit split, int k, RecsParams params, Parallel parallel, List<Algo> algos) {
    InteractionMatrix train = InteractionMatrix.of(split.train());
    RecsModel model = RecsModel.fit(train, params, parallel, Progress.NONE);
    int[] users = split.testUsers();
    Map<Algo, Result> out = new LinkedHashMap<>();
    long[] leaks = new long[1];
    for (Algo algo : algos) {
      long t0 = System.nanoTime();
      int[][] ranked = new int[users.length][];
      long[] leakPerChunk = new long[users.length];
      parallel.forRange(users.length, parallel.chunkFor(users.length, 4), (from, to) -> {
        RecsModel.Workspace ws = model.newWorkspace();
        for (int x = from; x < to; x++) {
          UserHistory h = model.historyOf(users[x]);
          ScoredItems top = model.recommend(algo, h, k, ws);
          int[] ids = new int[top.size()];
          for (int r = 0; r < ids.length; r++) {
            ids[r] = train.items().idAt(top.items()[r]);
            if (h.contains(top.items()[r])) {
              leakPerChunk[x]++;
            }
          }
          ranked[x] = ids;
        }
      });
      double seconds = (System.nanoTime() - t0) / 1e9 + model.fitMillis(algo) / 1000.0;
      RankingMetrics metrics = new RankingMetrics(k);
      for (int x = 0; x < users.length; x++) {
        int[] rel = split.testItems(x).clone();
        Arrays.sort(rel);
        metrics.add(ranked[x], rel);
        leaks[0] += leakPerChunk[x];
      }
      out.put(algo, new Result(metrics.precision(), metrics.recall(), metrics.ndcg(), metrics.map(),
          metrics.coverage(train.itemCount()), seconds, metrics.users()));
    }
    return new Report(out, train.nnz(), split.testCount(), train.userCount(), train.itemCount(), leaks[0]);
  }
}
