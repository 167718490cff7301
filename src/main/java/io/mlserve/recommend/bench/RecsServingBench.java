package io.mlserve.recommend.bench;

import io.mlserve.bench.CpuUse;
import io.mlserve.bench.JvmProcess;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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

  @Option(names = "--warmup", defaultValue = "15",
      description = "Unmeasured seconds before each mode (default ${DEFAULT-VALUE}: a fresh JVM's JIT settles).")
  int warmup;

  @Option(names = "--connections", defaultValue = "32", description = "Concurrent connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--client", defaultValue = "auto", description = "wrk, vertx or auto (wrk when installed).")
  String client;

  @Option(names = "--wrk-threads", defaultValue = "1", description = "wrk threads (default ${DEFAULT-VALUE}: leaves a core to the service).")
  int wrkThreads;

  @Option(names = "--modes", defaultValue = "near,redis,mongo,embedded", split = ",",
      description = "Modes to measure, in order (default ${DEFAULT-VALUE}; ratios need the first three).")
  List<String> only;

  @Option(names = "--mongo-heap", defaultValue = "2g", description = "Heap of the mongo process, fixed (default ${DEFAULT-VALUE}).")
  String mongoHeap;

  // a mongod has no collector; the stand-in's must not be what the miss tails measure. With the default tenuring,
  // every young collection of the measured window still copied 60-90 MB of the freshly loaded documents between
  // survivor spaces (pauses of 125-430 ms under load); promoted at once, they stop being copied (4-10 ms)
  @Option(names = "--mongo-jvm-args", defaultValue = "-XX:MaxTenuringThreshold=0",
      description = "Extra JVM options of the mongo process (default ${DEFAULT-VALUE}: loaded documents go straight"
          + " to the old generation instead of being copied by every young collection).")
  String mongoJvmArgs;

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
    Map<String, Mode> modes = new LinkedHashMap<>();
    modes.put("near", new Mode("near cache", false, Map.of()));
    modes.put("redis", new Mode("Redis only", false, Map.of("MLSERVE_CACHE_NEAR_MAX_ENTRIES", "0")));
    Map<String, String> missEverywhere = Map.of("MLSERVE_CACHE_NEAR_MAX_ENTRIES", "0", "MLSERVE_RECS_REDIS_READS", "false");
    modes.put("mongo", new Mode("Mongo only", false, missEverywhere));
    modes.put("embedded", new Mode("Mongo, H2", true, missEverywhere));
    modes.keySet().retainAll(only);
    if (modes.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--modes: none of " + only + " is one of near, redis, mongo, embedded");
    }
    Map<String, WrkRunner.Result> results = new LinkedHashMap<>();
    String prefix = "bench-" + UUID.randomUUID() + ":";
    Path dataDir = Files.createTempDirectory("bench-recs-serving");
    int embeddedPort = JvmProcess.freePort();
    Map<String, String> embedded = Map.of("MLSERVE_MONGO_EMBEDDED_BACKEND", "h2",
        "MLSERVE_MONGO_EMBEDDED_PORT", String.valueOf(embeddedPort));
    // MongoDB for the other modes: mongo-java-server in a process of its own with a fixed heap, the nearest this
    // machine has to a mongod (hosted in this JVM, its collector's pauses of 0.5-0.8 s showed up as request tails)
    int mongoPort = JvmProcess.freePort();
    String mongoUri = "mongodb://127.0.0.1:" + mongoPort;
    boolean needsMongoProcess = modes.values().stream().anyMatch(m -> !m.embedded());
    try (JvmProcess mongo = needsMongoProcess ? startMongo(mongoPort, dataDir) : null) {
      if (needsMongoProcess) {
        setup(d, mongoUri, prefix, Files.createTempDirectory("bench-setup"), Map.of("MONGO_URI", mongoUri));
      }
      if (modes.values().stream().anyMatch(Mode::embedded)) {
        setup(d, "mongodb://127.0.0.1:" + embeddedPort, prefix, dataDir, embedded);
      }
      for (Mode mode : modes.values()) {
        Map<String, String> env = new java.util.HashMap<>(mode.embedded() ? embedded : Map.of("MONGO_URI", mongoUri));
        env.putAll(mode.env());
        results.put(mode.label(), measure(mode, d, dataDir, prefix, env, useWrk, mode.embedded() ? null : mongo));
      }
    }
    if (!results.keySet().containsAll(List.of("near cache", "Redis only", "Mongo only"))) {
      return 0;
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

  /**
   * Where each request's CPU went: on two shared cores the tail follows how many runnable threads of the three
   * processes and the client compete, so this says whose share to shrink.
   */
  private static void printCpu(CpuUse cpu, long requests, boolean mongoProcess, boolean wrk) {
    if (!CpuUse.available() || requests <= 0) {
      return;
    }
    String[] names = mongoProcess ? new String[] {"service", "mongo process"} : new String[] {"service"};
    System.out.println("            " + cpu.perRequest(requests, wrk, names));
  }

  /** What the service reads from: {@code embedded} = its own embedded H2 MongoDB, else the shared mongo process. */
  private record Mode(String label, boolean embedded, Map<String, String> env) {
  }

  private JvmProcess startMongo(int port, Path dataDir) throws Exception {
    JvmProcess mongo = JvmProcess.builder().jvmArg("-Xms" + mongoHeap).jvmArg("-Xmx" + mongoHeap)
        .jvmArgs(mongoJvmArgs)
        .args("mongo", "--backend", "memory", "--port", String.valueOf(port), "--data-dir", dataDir.toString()).start();
    if (!mongo.awaitOutput("mongo: listening on", 60_000)) {
      String log = mongo.logText();
      mongo.close();
      throw new IllegalStateException("the mongo process did not start; its log:\n" + log);
    }
    return mongo;
  }

  /** Loads the ratings and runs the batch in a set-up process, so every measured mode starts from a fresh JVM. */
  private void setup(BenchSupport.Dataset d, String mongoUri, String prefix, Path dataDir, Map<String, String> env)
      throws Exception {
    int port = JvmProcess.freePort();
    try (JvmProcess p = BenchSupport.startService(port, dataDir, prefix, heap, env)) {
      BenchSupport.insert(mongoUri, d.ratings());
      BenchSupport.Run run = BenchSupport.compute(p, port, new JsonObject().put("algo", "all"), 600_000);
      System.out.printf(Locale.ROOT, "setup: batch compute of %d users in %.1f s (%s)%n", d.users(),
          run.result().getLong("totalMs") / 1000.0, env.containsKey("MONGO_URI") ? "mongo process" : "embedded H2");
      p.sigterm();
      p.waitFor(20_000);
    }
  }

  private WrkRunner.Result measure(Mode mode, BenchSupport.Dataset d, Path dataDir, String prefix,
                                   Map<String, String> env, boolean useWrk, JvmProcess mongo) throws Exception {
    int port = JvmProcess.freePort();
    try (JvmProcess p = BenchSupport.startService(port, mode.embedded() ? dataDir
        : Files.createTempDirectory("bench-service"), prefix, heap, env)) {
      WrkRunner.run(useWrk, port, d.users(), "", connections, wrkThreads, Duration.ofSeconds(warmup));
      long[] pids = mongo == null ? new long[] {p.pid()} : new long[] {p.pid(), mongo.pid()};
      CpuUse.Mark cpuFrom = CpuUse.mark(pids);
      WrkRunner.Result r = WrkRunner.run(useWrk, port, d.users(), "", connections, wrkThreads,
          Duration.ofSeconds(duration));
      CpuUse cpu = CpuUse.since(cpuFrom);
      System.out.printf(Locale.ROOT, "%-11s %s; service RSS %.0f MB%n", mode.label(), WrkRunner.format(r),
          p.rssKb() / 1024.0);
      printCpu(cpu, r.requests(), mongo != null, useWrk);
      if (mode.env().containsKey("MLSERVE_RECS_REDIS_READS")) {
        WrkRunner.Result light = WrkRunner.run(useWrk, port, d.users(), "", 4, 1,
            Duration.ofSeconds(Math.max(5, duration / 2)));
        System.out.printf(Locale.ROOT, "%-11s %s (cache misses at 4 connections: latency without queueing)%n",
            mode.label() + ", 4 c.", WrkRunner.format(light));
      }
      if (mode.env().isEmpty()) {
        WrkRunner.Result control = WrkRunner.runFixed(useWrk, port, "/health/live", connections, wrkThreads,
            Duration.ofSeconds(Math.max(5, duration / 2)));
        System.out.printf(Locale.ROOT, "%-11s %s (control: a trivial route on the same machine)%n",
            "health/live", WrkRunner.format(control));
      }
      p.sigterm();
      p.waitFor(20_000);
      return r;
    }
  }
}
