package io.mlserve.recommend.bench;

import io.mlserve.bench.JvmProcess;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.algo.Progress;
import io.mlserve.recommend.algo.RecsModel;
import io.mlserve.recommend.algo.RecsParams;
import io.mlserve.recommend.data.InteractionMatrix;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
        + "recommend pool %d; cores usable now (2-thread spin test): %.2f%n", Runtime.getRuntime().availableProcessors(),
        heap, pool, BenchSupport.effectiveCores());
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
    computeOnly(d);
    Path mongoDir = Files.createTempDirectory("bench-mongo");
    try (EmbeddedMongo mongo = EmbeddedMongo.start("memory", mongoDir, 0)) {
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

  /**
   * The part that is ours alone: fit and rank every user × 4 algorithms (top 100) in this JVM, no I/O, with one
   * thread and with the pool size; a warm-up pass first.
   */
  private void computeOnly(BenchSupport.Dataset d) {
    InteractionMatrix m = InteractionMatrix.of(d.ratings());
    ExecutorService exec = Executors.newFixedThreadPool(pool);
    try {
      double[][] secs = new double[2][];
      int[] threads = {1, pool};
      for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < 2; t++) {
          secs[t] = rankAll(m, new Parallel(exec, threads[t]));
        }
      }
      for (int t = 0; t < 2; t++) {
        System.out.printf(Locale.ROOT, "  compute only (no I/O), %d thread(s): fit %.2f s, rank %.2f s, %.0f users/s "
            + "ranking%n", threads[t], secs[t][0], secs[t][1], m.userCount() / secs[t][1]);
      }
      System.out.printf(Locale.ROOT, "  compute only: speed-up of %d threads over 1: %.2fx fit, %.2fx ranking%n", pool,
          secs[0][0] / secs[1][0], secs[0][1] / secs[1][1]);
    } finally {
      exec.shutdownNow();
    }
  }

  private static double[] rankAll(InteractionMatrix m, Parallel par) {
    long t0 = System.nanoTime();
    RecsModel model = RecsModel.fit(m, RecsParams.defaults(), par, Progress.NONE);
    long t1 = System.nanoTime();
    long[] sink = new long[1];
    par.forRange(m.userCount(), 250, (from, to) -> {
      RecsModel.Workspace ws = model.newWorkspace();
      long local = 0;
      for (int u = from; u < to; u++) {
        for (var s : model.recommendAll(m.history(u), 100, ws).values()) {
          local += s.items()[0];
        }
      }
      synchronized (sink) {
        sink[0] += local;
      }
    });
    return new double[] {(t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9};
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
