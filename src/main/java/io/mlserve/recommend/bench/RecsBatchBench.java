package io.mlserve.recommend.bench;

import io.mlserve.bench.JvmProcess;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.store.EmbeddedMongo;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Batch compute of every user × 4 algorithms, including MongoDB and Redis writes, on the real service (a separate
 * JVM with a capped heap) against MongoDB: MovieLens 100K (or synthetic data of its shape) and a synthetic set
 * shaped like MovieLens 1M. Each set is computed with one thread and with the whole pool, in the same service.
 */
@Command(name = "recs", mixinStandardHelpOptions = true,
    description = "Batch recommendation compute (all users x 4 algorithms incl. Mongo writes): time, users/s, "
        + "speed-up of the worker pool over one thread, peak heap and RSS.")
public final class RecsBatchBench implements Callable<Integer> {
  @Option(names = "--data", description = "Rating file for the small set (default ../shared/data/ml-100k/u.data).")
  Path data;

  @Option(names = "--big-users", defaultValue = "6040", description = "Users of the large synthetic set (default ${DEFAULT-VALUE}).")
  int bigUsers;

  @Option(names = "--big-items", defaultValue = "3700", description = "Items of the large synthetic set (default ${DEFAULT-VALUE}).")
  int bigItems;

  @Option(names = "--big-ratings", defaultValue = "1000000", description = "Ratings of the large set (default ${DEFAULT-VALUE}; 0 skips it).")
  int bigRatings;

  @Option(names = "--heap", defaultValue = "1g", description = "Service heap cap (-Xmx, default ${DEFAULT-VALUE}).")
  String heap;

  @Option(names = "--pool", defaultValue = "2", description = "recs.workerPoolSize of the service (default ${DEFAULT-VALUE}).")
  int pool;

  @Override
  public Integer call() throws Exception {
    System.out.printf(Locale.ROOT, "bench recs: %d cores (shared with anything else running), service -Xmx%s, "
        + "recommend pool %d%n", Runtime.getRuntime().availableProcessors(), heap, pool);
    run(BenchSupport.small(data), 10);
    if (bigRatings > 0) {
      run(BenchSupport.of(String.format(Locale.ROOT, "synthetic %d x %d x %d (MovieLens 1M shape)", bigUsers,
          bigItems, bigRatings), SyntheticRatings.generate(bigUsers, bigItems, bigRatings, 42)), 60);
    }
    return 0;
  }

  private void run(BenchSupport.Dataset d, int goalSeconds) throws Exception {
    System.out.printf(Locale.ROOT, "%n%s: %d users, %d items, %d ratings%n", d.name(), d.users(), d.items(),
        d.ratings().size());
    Path mongoDir = Files.createTempDirectory("bench-mongo");
    try (EmbeddedMongo mongo = EmbeddedMongo.start("memory", mongoDir)) {
      BenchSupport.insert(mongo.connectionString(), d.ratings());
      int port = JvmProcess.freePort();
      try (JvmProcess p = BenchSupport.startService(port, mongo.connectionString(), "bench-" + UUID.randomUUID()
          + ":", heap, Map.of("MLSERVE_RECS_WORKER_POOL_SIZE", String.valueOf(pool)))) {
        // one untimed warm-up run so both measured runs see a JIT-compiled service
        BenchSupport.compute(p, port, new JsonObject().put("algo", "all"), 600_000);
        BenchSupport.Run one = BenchSupport.compute(p, port, new JsonObject().put("algo", "all").put("parallelism", 1),
            600_000);
        BenchSupport.Run all = BenchSupport.compute(p, port, new JsonObject().put("algo", "all")
            .put("parallelism", pool), 600_000);
        print("1 thread ", one, d.users());
        print(pool + " threads", all, d.users());
        JsonObject a = all.result();
        JsonObject o = one.result();
        System.out.printf(Locale.ROOT, "  speed-up of %d threads over 1: %.2fx ranking+writing, %.2fx fit, "
                + "%.2fx end to end%n", pool, a.getDouble("usersPerSecond") / o.getDouble("usersPerSecond"),
            (double) o.getLong("fitMs") / Math.max(1, a.getLong("fitMs")),
            (double) o.getLong("totalMs") / Math.max(1, a.getLong("totalMs")));
        System.out.printf(Locale.ROOT, "  %s: %.1f s with %d threads (goal <= %d s); peak heap used %.0f MB "
                + "(cap %s), peak RSS %.0f MB%n", a.getLong("totalMs") / 1000.0 <= goalSeconds ? "MET" : "MISSED",
            a.getLong("totalMs") / 1000.0, pool, goalSeconds, Math.max(one.peakHeapMb(), all.peakHeapMb()), heap,
            Math.max(one.peakRssMb(), all.peakRssMb()));
        p.sigterm();
        p.waitFor(20_000);
      }
    }
  }

  private static void print(String label, BenchSupport.Run run, int users) {
    JsonObject r = run.result();
    System.out.printf(Locale.ROOT, "  %s: load %.2f s, fit %.2f s, rank+write %.2f s, total %.2f s; %.0f users/s "
            + "ranking+writing, %.0f users/s end to end; %d documents; thread time ranking %.2f s, waiting for "
            + "writes %.2f s%n", label, r.getLong("loadMs") / 1000.0,
        r.getLong("fitMs") / 1000.0, r.getLong("rankAndWriteMs") / 1000.0, r.getLong("totalMs") / 1000.0,
        r.getDouble("usersPerSecond"), users / Math.max(1e-9, r.getLong("totalMs") / 1000.0), r.getLong("documents"),
        r.getLong("rankThreadMs") / 1000.0, r.getLong("writeWaitThreadMs") / 1000.0);
  }
}
