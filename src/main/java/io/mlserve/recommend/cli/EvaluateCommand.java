package io.mlserve.recommend.cli;

import io.mlserve.config.ConfigException;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.RatingsFile;
import io.mlserve.recommend.eval.Evaluator;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code evaluate}: per-user random hold-out, rank every item the user has not seen in training, print
 * precision/recall/NDCG/MAP@k, catalogue coverage and run time for every algorithm and for popularity.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Offline quality of every algorithm on a rating file (per-user random hold-out).")
public final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Rating file (e.g. ml-100k/u.data).")
  Path data;

  @Option(names = "--format", defaultValue = "movielens", description = "movielens or csv (default ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--holdout", defaultValue = "0.25", description = "Share of each user's ratings held out (default ${DEFAULT-VALUE}).")
  double holdout;

  @Option(names = "--k", defaultValue = "10", description = "Cut-off of the metrics (default ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the split (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", defaultValue = "0", description = "Worker threads; 0 = one per core (default).")
  int threads;

  @Option(names = "--conf", paramLabel = "FILE", description = "JSON config file: model settings are recs.* keys.")
  Path conf;

  @Option(names = "--json", description = "Print one JSON object {algo: {precision, recall, ndcg, map, coverage, seconds}}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!(holdout > 0 && holdout < 1) || k < 1) {
      System.err.println("--holdout must be between 0 and 1 and --k at least 1");
      return 2;
    }
    MlserveConfig config;
    try {
      config = ConfigLoader.load(conf, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    RatingsBuffer ratings;
    try {
      ratings = RatingsFile.read(data, RatingsFile.Format.parse(format), config.recs().ratingRange());
    } catch (RatingsFile.BadRowException | IllegalArgumentException | java.io.IOException e) {
      System.err.println(data + ": " + e.getMessage());
      return 2;
    }
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "evaluate");
      t.setDaemon(true);
      return t;
    });
    try {
      System.err.printf(Locale.ROOT, "evaluating on %s: %d ratings, hold-out %.2f, k=%d, seed %d, %d threads%n",
          data, ratings.size(), holdout, k, seed, n);
      Evaluator.Report report = Evaluator.run(ratings, holdout, k, seed, config.recs().params(), new Parallel(pool, n));
      if (json) {
        JsonObject out = new JsonObject();
        report.results().forEach((algo, r) -> out.put(algo.id(), new JsonObject()
            .put("precision", round(r.precision())).put("recall", round(r.recall())).put("ndcg", round(r.ndcg()))
            .put("map", round(r.map())).put("coverage", round(r.coverage())).put("seconds", round(r.seconds()))));
        System.out.println(out.encode());
      } else {
        System.out.printf(Locale.ROOT, "%d users, %d items, %d training / %d held-out ratings; k=%d%n",
            report.users(), report.items(), report.trainRatings(), report.testRatings(), k);
        System.out.printf(Locale.ROOT, "%-11s %9s %9s %9s %9s %9s %9s%n", "algorithm", "prec@" + k, "recall@" + k,
            "ndcg@" + k, "map@" + k, "coverage", "seconds");
        for (var e : report.results().entrySet()) {
          Evaluator.Result r = e.getValue();
          System.out.printf(Locale.ROOT, "%-11s %9.4f %9.4f %9.4f %9.4f %9.4f %9.2f%n", e.getKey().id(),
              r.precision(), r.recall(), r.ndcg(), r.map(), r.coverage(), r.seconds());
        }
      }
      if (report.seenLeaks() > 0) {
        System.err.println("BUG: " + report.seenLeaks() + " recommended items were already seen by their user");
        return 1;
      }
      return 0;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }

}
