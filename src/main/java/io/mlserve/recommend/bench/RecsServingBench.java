package io.mlserve.recommend.bench;

import io.mlserve.bench.JvmProcess;
import io.mlserve.store.EmbeddedMongo;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Serving throughput and latency of {@code GET /recommendations/{id}} with 32 connections on loopback, the load
 * generator sharing the cores with the service: all tiers (near cache hits), Redis only (near cache off) and MongoDB
 * only (near cache and Redis reads off: every request is a cache miss), in one run, with their ratios.
 */
@Command(name = "recs-serving", mixinStandardHelpOptions = true,
    description = "GET /recommendations req/s and p50/p99: near cache vs Redis-only vs Mongo-only (cache miss).")
public final class RecsServingBench implements Callable<Integer> {
  @Option(names = "--data", description = "Rating file (default ../shared/data/ml-100k/u.data, else synthetic).")
  Path data;

  @Option(names = "--duration", defaultValue = "20", description = "Seconds measured per mode (default ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--warmup", defaultValue = "5", description = "Unmeasured seconds before each mode (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--connections", defaultValue = "32", description = "Concurrent connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--client", defaultValue = "auto", description = "wrk, vertx or auto (wrk when installed).")
  String client;

  @Option(names = "--wrk-threads", defaultValue = "1", description = "wrk threads (default ${DEFAULT-VALUE}: leaves a core to the service).")
  int wrkThreads;

  @Option(names = "--heap", defaultValue = "1g", description = "Service heap cap (default ${DEFAULT-VALUE}).")
  String heap;

  @Override
  public Integer call() throws Exception {
    boolean useWrk = switch (client) {
      case "wrk" -> true;
      case "vertx" -> false;
      default -> WrkRunner.wrkAvailable();
    };
    BenchSupport.Dataset d = BenchSupport.small(data);
    System.out.printf(Locale.ROOT, "bench recs-serving: %s (%d users); %d connections, %d s per mode after %d s "
            + "warm-up; client %s; %d cores shared by the client and the service, usable now (spin test): %.2f%n",
        d.name(), d.users(), connections, duration, warmup, useWrk ? "wrk -t" + wrkThreads
            : "in-repo Vert.x load generator", Runtime.getRuntime().availableProcessors(), BenchSupport.effectiveCores());
    Map<String, Map<String, String>> modes = new LinkedHashMap<>();
    modes.put("near cache", Map.of());
    modes.put("Redis only", Map.of("MLSERVE_CACHE_NEAR_MAX_ENTRIES", "0"));
    modes.put("Mongo only", Map.of("MLSERVE_CACHE_NEAR_MAX_ENTRIES", "0", "MLSERVE_RECS_REDIS_READS", "false"));
    Map<String, WrkRunner.Result> results = new LinkedHashMap<>();
    String prefix = "bench-" + UUID.randomUUID() + ":";
    Path mongoDir = Files.createTempDirectory("bench-mongo");
    try (EmbeddedMongo mongo = EmbeddedMongo.start("memory", mongoDir, 0)) {
      BenchSupport.insert(mongo.connectionString(), d.ratings());
      // the batch runs in a setup process, so every measured mode starts from a fresh JVM of the same size
      int setupPort = JvmProcess.freePort();
      try (JvmProcess p = BenchSupport.startService(setupPort, mongo.connectionString(), prefix, heap, Map.of())) {
        BenchSupport.Run run = BenchSupport.compute(p, setupPort, new JsonObject().put("algo", "all"), 600_000);
        System.out.printf(Locale.ROOT, "setup: batch compute of %d users in %.1f s%n", d.users(),
            run.result().getLong("totalMs") / 1000.0);
        p.sigterm();
        p.waitFor(20_000);
      }
      for (var mode : modes.entrySet()) {
        int port = JvmProcess.freePort();
        try (JvmProcess p = BenchSupport.startService(port, mongo.connectionString(), prefix, heap, mode.getValue())) {
          WrkRunner.run(useWrk, port, d.users(), "", connections, wrkThreads, Duration.ofSeconds(warmup));
          WrkRunner.Result r = WrkRunner.run(useWrk, port, d.users(), "", connections, wrkThreads,
              Duration.ofSeconds(duration));
          results.put(mode.getKey(), r);
          System.out.printf(Locale.ROOT, "%-11s %s; service RSS %.0f MB%n", mode.getKey(), WrkRunner.format(r),
              p.rssKb() / 1024.0);
          if (mode.getKey().equals("Mongo only")) {
            WrkRunner.Result light = WrkRunner.run(useWrk, port, d.users(), "", 4, 1,
                Duration.ofSeconds(Math.max(5, duration / 2)));
            System.out.printf(Locale.ROOT, "%-11s %s (cache misses at 4 connections: latency without queueing)%n",
                "Mongo, 4 c.", WrkRunner.format(light));
          }
          if (results.size() == 1) {
            WrkRunner.Result control = WrkRunner.runFixed(useWrk, port, "/health/live", connections, wrkThreads,
                Duration.ofSeconds(Math.max(5, duration / 2)));
            System.out.printf(Locale.ROOT, "%-11s %s (control: a trivial route on the same machine)%n",
                "health/live", WrkRunner.format(control));
          }
          p.sigterm();
          p.waitFor(20_000);
        }
      }
    }
    WrkRunner.Result near = results.get("near cache");
    WrkRunner.Result redis = results.get("Redis only");
    WrkRunner.Result mongo = results.get("Mongo only");
    System.out.printf(Locale.ROOT, "ratios (same run): req/s near/Redis %.2fx, near/Mongo %.2fx, Redis/Mongo %.2fx;"
            + " p99 Mongo/near %.2fx, Redis/near %.2fx%n", near.requestsPerSecond() / redis.requestsPerSecond(),
        near.requestsPerSecond() / mongo.requestsPerSecond(), redis.requestsPerSecond() / mongo.requestsPerSecond(),
        mongo.p99Ms() / near.p99Ms(), redis.p99Ms() / near.p99Ms());
    System.out.printf(Locale.ROOT, "goals: cached p99 %.2f ms (<= 5) %s, cached %.0f req/s (>= 20000) %s, "
            + "cache-miss p99 %.2f ms (<= 20) %s%n", near.p99Ms(), near.p99Ms() <= 5 ? "MET" : "MISSED",
        near.requestsPerSecond(), near.requestsPerSecond() >= 20_000 ? "MET" : "MISSED", mongo.p99Ms(),
        mongo.p99Ms() <= 20 ? "MET" : "MISSED");
    return 0;
  }
}
