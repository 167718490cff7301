package io.mlserve.feed;

import io.mlserve.app.MlserveApp;
import io.mlserve.app.Role;
import io.mlserve.app.Services;
import io.mlserve.bench.JvmProcess;
import io.mlserve.bench.Stats;
import io.mlserve.bus.Bus;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.FeedConfig;
import io.mlserve.store.EmbeddedMongo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Feed ingestion into the embedded MongoDB. Each run starts a feeder process in-process on a fresh database and
 * measures (1) the real batch feeder end to end: HTTP pulls from the feed (released at once), JSON, validation and
 * idempotent writes, then a rerun that must store 0 new rows; (2) the write path alone for the idempotent write
 * strategies of {@link CovertypeWriter} (insert-first, the default; probe + insert; per-row upsert), first load and rerun.
 * Prints every run and the medians.
 */
@Command(name = "feed", mixinStandardHelpOptions = true,
    description = "Feed ingestion rows/s into the embedded MongoDB: batch feeder end to end and rerun (0 new rows), "
        + "and the write path alone for three idempotent write strategies.")
public final class FeedBench implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "100000", description = "Synthetic rows (default ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--batches", defaultValue = "10", description = "Feed batches (default ${DEFAULT-VALUE}).")
  int batches;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup-runs", defaultValue = "3",
      description = "Unmeasured full loads first (default ${DEFAULT-VALUE}: rows/s kept climbing over the first three "
          + "while the JIT compiled the feeder, driver and server paths).")
  int warmupRuns;

  @Option(names = "--backend", defaultValue = "memory",
      description = "Embedded MongoDB backend: memory or h2 (the service's default, file-backed) "
          + "(default ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--write-batch", defaultValue = "1000", description = "Rows per bulk write (default ${DEFAULT-VALUE}).")
  int writeBatch;

  @Option(names = "--write-concurrency", defaultValue = "2",
      description = "Bulk writes in flight (default ${DEFAULT-VALUE}).")
  int writeConcurrency;

  @Option(names = "--write-strategy", defaultValue = "insert-first",
      description = "feed.write.strategy of the batch feeder: insert-first, probe-insert or upsert "
          + "(default ${DEFAULT-VALUE}).")
  String writeStrategy;

  @Option(names = "--no-compare", description = "Skip timing the write path alone (three write strategies).")
  boolean noCompare;

  private record Run(double load, double loadCpu, double gcShare, double allocPerRow, double rerun, long rerunNew,
                     double heapMb, double[] insertFirst, double[] probe, double[] upsert) {
  }

  /** Bytes allocated by every thread of this process so far (live and ended threads). */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
        .getTotalThreadAllocatedBytes();
  }

  /** Collection time of every collector of this process so far, in milliseconds. */
  private static long gcMillis() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
  }

  /** CPU time of this whole process (feeder, HTTP, driver and embedded MongoDB), in nanoseconds. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  @Override
  public Integer call() throws Exception {
    if (!EmbeddedMongo.BACKENDS.contains(backend)) {
      System.err.println("--backend must be memory or h2");
      return 2;
    }
    if (!FeedConfig.Write.STRATEGIES.contains(writeStrategy)) {
      System.err.println("--write-strategy must be one of " + FeedConfig.Write.STRATEGIES);
      return 2;
    }
    System.out.printf(Locale.ROOT, "feed ingestion: %,d synthetic rows in %d batches, embedded MongoDB (%s backend), "
            + "bulk writes of %d rows, %d in flight, %s; %d measured runs after %d unmeasured ones; heap: max %,d MB%n",
        rows, batches, backend, writeBatch, writeConcurrency, writeStrategy, runs, warmupRuns,
        Runtime.getRuntime().maxMemory() >> 20);
    for (int i = 1; i <= warmupRuns; i++) {
      Run w = one(rows, false);
      System.out.printf(Locale.ROOT, "warm-up %d: %,.0f rows/s%n", i, w.load());
    }
    boolean compare = !noCompare;
    List<Run> results = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      Run r = one(rows, compare);
      results.add(r);
      System.out.printf(Locale.ROOT, "run %d: batch feeder %,.0f rows/s (%,.0f rows per CPU-second, %,.0f bytes "
              + "allocated per row, GC pauses %.0f%% of the load), rerun %,.0f rows/s with %d new rows%s%n", i, r.load(),
          r.loadCpu(), r.allocPerRow(), 100 * r.gcShare(), r.rerun(), r.rerunNew(),
          compare ? String.format(Locale.ROOT, "; write path alone, first load / rerun rows/s: probe+insert %,.0f / "
                  + "%,.0f, insert-first %,.0f / %,.0f, upsert %,.0f / %,.0f", r.probe()[0], r.probe()[1],
              r.insertFirst()[0], r.insertFirst()[1], r.upsert()[0], r.upsert()[1]) : "");
    }
    double load = Stats.median(results.stream().mapToDouble(Run::load).toArray());
    double loadCpu = Stats.median(results.stream().mapToDouble(Run::loadCpu).toArray());
    double rerun = Stats.median(results.stream().mapToDouble(Run::rerun).toArray());
    long newOnRerun = results.stream().mapToLong(Run::rerunNew).max().orElse(-1);
    double gcShare = Stats.median(results.stream().mapToDouble(Run::gcShare).toArray());
    double allocPerRow = Stats.median(results.stream().mapToDouble(Run::allocPerRow).toArray());
    System.out.printf(Locale.ROOT, "median of %d: batch feeder %,.0f rows/s (goal >= 50,000), %,.0f rows per "
            + "CPU-second, %,.0f bytes allocated per row, GC pauses %.0f%% of the load, rerun %,.0f rows/s, new rows "
            + "on rerun: %d (must be 0)%n", runs, load, loadCpu, allocPerRow, 100 * gcShare, rerun, newOnRerun);
    if (compare) {
      double[] first = new double[3];
      double[] again = new double[3];
      for (int pass = 0; pass < 2; pass++) {
        double[] into = pass == 0 ? first : again;
        int p = pass;
        into[0] = Stats.median(results.stream().mapToDouble(r -> r.insertFirst()[p]).toArray());
        into[1] = Stats.median(results.stream().mapToDouble(r -> r.probe()[p]).toArray());
        into[2] = Stats.median(results.stream().mapToDouble(r -> r.upsert()[p]).toArray());
      }
      for (int pass = 0; pass < 2; pass++) {
        double[] m = pass == 0 ? first : again;
        System.out.printf(Locale.ROOT, "median write path alone, %s: insert-first %,.0f rows/s, probe+insert %,.0f, "
                + "upsert %,.0f: insert-first / probe+insert = x%.2f, probe+insert / upsert = x%.1f%n",
            pass == 0 ? "first load" : "rerun (0 new rows)", m[0], m[1], m[2], m[0] / m[1], m[1] / m[2]);
      }
    }
    System.out.printf(Locale.ROOT, "memory: live heap after a load %.0f MB (median; feeder, its feed and the "
            + "embedded MongoDB holding the rows, in one process), RSS now %.0f MB (the JVM keeps the heap it grew)%n",
        Stats.median(results.stream().mapToDouble(Run::heapMb).toArray()),
        JvmProcess.rssKb(ProcessHandle.current().pid()) / 1024.0);
    System.out.println("note: on a shared machine figures are noisy; compare ratios from one run");
    return newOnRerun == 0 ? 0 : 1;
  }

  private Run one(int n, boolean withCompare) throws Exception {
    JsonObject overrides = new JsonObject()
        .put("dataDir", Files.createTempDirectory("mlserve-feed-bench").toString())
        .put("http", new JsonObject().put("port", JvmProcess.freePort()).put("host", "127.0.0.1").put("instances", 1))
        .put("mongo", new JsonObject().put("embeddedBackend", backend))
        .put("redis", new JsonObject().put("prefix", "bench-" + UUID.randomUUID() + ":").put("required", false))
        .put("feed", new JsonObject().put("batches", batches).put("intervalMs", 0).put("syntheticRows", n)
            .put("resumeOnStart", false)
            .put("write", new JsonObject().put("batchSize", writeBatch).put("concurrency", writeConcurrency)
                .put("strategy", writeStrategy)));
    MlserveApp app = MlserveApp.start(ConfigLoader.load(null, Map.of(), overrides), EnumSet.of(Role.FEEDER));
    try {
      Services s = app.services();
      // generate and serialize the feed before timing: the source is not what is measured
      await(Bus.request(s.vertx(), FeedServerVerticle.STATUS_ADDRESS, new JsonObject(), 300_000));
      long cpu0 = cpuNanos();
      long gc0 = gcMillis();
      long alloc0 = allocatedBytes();
      long t0 = System.nanoTime();
      JsonObject first = load(s);
      double perCpuSecond = n / ((cpuNanos() - cpu0) / 1e9);
      double gcShare = (gcMillis() - gc0) / ((System.nanoTime() - t0) / 1e6);
      double allocPerRow = (allocatedBytes() - alloc0) / (double) n;
      JsonObject second = load(s);
      System.gc(); // live data: the feed's batches, the loaded rows in the embedded MongoDB, the app
      Runtime rt = Runtime.getRuntime();
      double heapMb = (rt.totalMemory() - rt.freeMemory()) / 1e6;
      Run r = new Run(rate(first), perCpuSecond, gcShare, allocPerRow, rate(second), second.getLong("inserted"),
          heapMb, null, null, null);
      if (!withCompare) {
        return r;
      }
      FeedSource source = FeedSource.synthetic(s.config().feed().seed(), n);
      List<BatchRows.Prepared> prepared = new ArrayList<>();
      for (int k = 0; k < batches; k++) {
        int from = FeedSchedule.firstRow(k, batches, n);
        prepared.add(BatchRows.prepare(source.fingerprint(), k, from,
            source.rows().subList(from, from + FeedSchedule.rowCount(k, batches, n))));
      }
      return new Run(r.load(), r.loadCpu(), r.gcShare(), r.allocPerRow(), r.rerun(), r.rerunNew(), r.heapMb(),
          writes(s, prepared, CovertypeWriter.Strategy.INSERT_FIRST),
          writes(s, prepared, CovertypeWriter.Strategy.PROBE_INSERT),
          writes(s, prepared, CovertypeWriter.Strategy.UPSERT));
    } finally {
      app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static JsonObject load(Services s) throws Exception {
    String jobId = await(Bus.request(s.vertx(), BatchFeederVerticle.LOAD_ADDRESS, new JsonObject(), 10_000))
        .getString("jobId");
    JsonObject end = await(s.jobs().awaitFinished(jobId, 20));
    if (!"SUCCEEDED".equals(end.getString("state"))) {
      throw new IllegalStateException("feed load " + end.getString("state") + ": " + end.getString("error"));
    }
    return end.getJsonObject("result").put("durationMs", end.getLong("durationMs"));
  }

  private static double rate(JsonObject result) {
    return result.getLong("rows") * 1000.0 / Math.max(1, result.getLong("durationMs"));
  }

  /** {first load, rerun} rows/s of the write path alone on an emptied collection. */
  private double[] writes(Services s, List<BatchRows.Prepared> batches, CovertypeWriter.Strategy strategy)
      throws Exception {
    await(CovertypeWriter.clear(s.mongo()));
    CovertypeWriter writer = new CovertypeWriter(s.mongo(), writeBatch, writeConcurrency, strategy);
    double[] rates = new double[2];
    for (int pass = 0; pass < 2; pass++) {
      long t0 = System.nanoTime();
      long stored = 0;
      for (BatchRows.Prepared b : batches) {
        stored += await(writer.write(b)).rows();
      }
      rates[pass] = stored / ((System.nanoTime() - t0) / 1e9);
    }
    return rates;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
  }
}
