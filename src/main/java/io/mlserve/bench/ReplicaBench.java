package io.mlserve.bench;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.mlserve.bench.load.Scenarios;
import io.mlserve.recommend.data.SyntheticRatings;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The replica study: 1, 2 and 4 api processes sharing one port (SO_REUSEPORT) and the same CPUs (taskset), in front
 * of one backend process (recommender + inference + the embedded MongoDB) on a clustered event bus, under the
 * recommendations and predict scenarios (closed loop) and the inference user flow (think time). Same total CPU for
 * the api tier in every setup (by default one core for every api process, the other for the backend and this load
 * generator), so the table shows what adding processes alone buys, not what more CPU buys.
 */
@Command(name = "replicas", mixinStandardHelpOptions = true,
    description = "Req/s, p99 and errors with 1, 2, 4 api processes at the same total CPU (docs/benchmarks.md).")
public final class ReplicaBench implements Callable<Integer> {
  @Option(names = "--processes", defaultValue = "1,2,4", description = "Api process counts (default ${DEFAULT-VALUE}).")
  String processes;

  @Option(names = "--scenarios", defaultValue = "recs,predict,inference",
      description = "Any of recs, predict (closed loop, no think time) and inference (GET /models, POST /select-model, "
          + "POST /predict with think time) (default ${DEFAULT-VALUE}).")
  String scenarios;

  @Option(names = "--connections", defaultValue = "32", description = "Closed-loop connections of recs and predict (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--inference-users", defaultValue = "500",
      description = "Virtual users of the inference scenario, one connection each (default ${DEFAULT-VALUE}).")
  int inferenceUsers;

  @Option(names = "--think", defaultValue = "1-2.5", description = "Think time range in seconds of the inference scenario (default ${DEFAULT-VALUE}).")
  String think;

  @Option(names = "--duration", defaultValue = "20", description = "Measured seconds per setup (default ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--warmup", defaultValue = "45",
      description = "Warm-up seconds per setup and scenario; JIT compilation of several JVMs on one shared core needs it "
          + "(default ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--api-cpus", defaultValue = "1", description = "CPUs every api process is pinned to (default ${DEFAULT-VALUE}).")
  String apiCpus;

  @Option(names = "--other-cpus", defaultValue = "0", description = "CPUs of the backend and this load generator (default ${DEFAULT-VALUE}).")
  String otherCpus;

  @Option(names = "--api-heap", defaultValue = "256m", description = "Heap of each api process (default ${DEFAULT-VALUE}).")
  String apiHeap;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Integer call() throws Exception {
    for (String scenario : scenarios.split(",")) {
      script(scenario.trim()); // fail fast on an unknown name, before minutes of start-up
    }
    boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset"));
    System.out.printf("CPU layout: %s; the api tier has the same CPUs in every setup, so the table shows what adding "
            + "processes alone does%n", pinned
            ? "backend (recommender + inference + embedded MongoDB) and this load generator on CPU(s) " + otherCpus
            + ", every api process on CPU(s) " + apiCpus
            : "taskset not found, processes are NOT pinned");
    System.out.printf("load average at the start: %s (%d CPUs online)%n", loadAverage(),
        Runtime.getRuntime().availableProcessors());
    pinSelf(otherCpus);
    Path dir = Files.createTempDirectory("mlserve-replicas");
    boolean failed = true;
    ServiceSetup.copyShippedModel(dir.resolve("models"));
    String prefix = "bench-" + UUID.randomUUID() + ":";
    String cluster = "replicas-" + UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = 21000 + (int) (Math.random() * 20000);
    int mongoPort = JvmProcess.freePort();
    int backendPort = JvmProcess.freePort();
    int apiPort = JvmProcess.freePort();
    List<String[]> rows = new ArrayList<>();
    try (JvmProcess backend = node(dir, "backend", backendPort, "recommender,inference", prefix, cluster, clusterPort)
        .env("MLSERVE_MONGO_EMBEDDED_BACKEND", "memory").env("MLSERVE_MONGO_EMBEDDED_PORT", String.valueOf(mongoPort))
        .jvmArg("-Xmx1g").cpus(otherCpus).start()) {
      ready(backend, backendPort);
      String mongoUri = "mongodb://127.0.0.1:" + mongoPort;
      boolean loaded = false;
      for (String n : processes.split(",")) {
        int count = Integer.parseInt(n.trim());
        List<JvmProcess> apis = new ArrayList<>();
        try {
          for (int i = 0; i < count; i++) {
            apis.add(node(dir, "api-" + count + "-" + i, apiPort, "api", prefix, cluster, clusterPort)
                .env("MONGO_URI", mongoUri).env("MLSERVE_HTTP_REUSE_PORT", "true")
                .jvmArg("-Xmx" + apiHeap).cpus(apiCpus).start());
          }
          awaitAllReady(apis, apiPort);
          if (!loaded) {
            ServiceSetup.loadRecommendations(http, apiPort, SyntheticRatings.generate(943, 1682, 100_000, 42));
            loaded = true;
          }
          for (String scenario : scenarios.split(",")) {
            LoadResult r = measure(scenario.trim(), apiPort);
            System.out.printf("(load average now %s)%n", loadAverage());
            long rss = apis.stream().mapToLong(JvmProcess::rssKb).sum() / 1024;
            System.out.print(r.summary(count + " api process(es), " + scenario));
            rows.add(new String[] {String.valueOf(count), scenario.trim(),
                String.format(Locale.ROOT, "%.0f", r.requestsPerSecond()),
                String.format(Locale.ROOT, "%.2f", r.percentileMs(50)),
                String.format(Locale.ROOT, "%.2f", r.percentileMs(99)),
                String.valueOf(r.errors()), String.valueOf(rss), String.valueOf(r.requests())});
          }
        } finally {
          for (JvmProcess p : apis) {
            p.sigterm();
          }
          for (JvmProcess p : apis) {
            p.waitFor(30_000);
            p.close();
          }
        }
      }
      failed = false;
    } finally {
      cleanUp(dir, prefix, failed);
    }
    System.out.printf("%nreplica study: api processes pinned to CPUs %s, backend and load generator to %s, "
        + "recs/predict %d connections closed loop, inference %d users with %s s think time, "
        + "%d s per setup after %d s warm-up, load average at the end %s%n", apiCpus, otherCpus,
        connections, inferenceUsers, think, durationSeconds, warmupSeconds, loadAverage());
    System.out.println("| api processes | scenario | req/s | p50 ms | p99 ms | errors | api RSS MB (sum) | requests |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (String[] r : rows) {
      System.out.println("| " + String.join(" | ", r) + " |");
    }
    return 0;
  }

  private JvmProcess.Builder node(Path dir, String name, int port, String roles, String prefix, String cluster,
                                  int clusterPort) {
    return JvmProcess.builder()
        .args("--cluster", "--roles", roles)
        .log(dir.resolve(name + ".log"))
        .env("MLSERVE_HTTP_PORT", String.valueOf(port))
        .env("MLSERVE_DATA_DIR", dir.resolve(name).toString())
        .env("MLSERVE_MODELS_DIR", dir.resolve("models").toString())
        .env("MLSERVE_REDIS_PREFIX", prefix)
        .env("MLSERVE_CLUSTER_NAME", cluster)
        .env("MLSERVE_CLUSTER_PORT", String.valueOf(clusterPort))
        .env("MLSERVE_CLUSTER_PORT_COUNT", "10")
        .env("MLSERVE_LOG_LEVEL", "WARN");
  }

  /**
   * Waits until every api process is ready on its own. They share one SO_REUSEPORT port, so a plain poll of it can
   * be answered by a process that is already up for one that is not: each probe is a fresh connection (the kernel
   * picks a listener per connection) carrying two pipelined requests, {@code /health/ready} then {@code /version},
   * so one process answers both and names itself ({@code node} = pid@host). Done when every pid said 200.
   */
  private static void awaitAllReady(List<JvmProcess> apis, int port) throws InterruptedException {
    java.util.Set<String> waiting = new java.util.HashSet<>();
    apis.forEach(p -> waiting.add(String.valueOf(p.pid())));
    long deadline = System.currentTimeMillis() + 120_000;
    while (!waiting.isEmpty()) {
      for (JvmProcess p : apis) {
        if (!p.process().isAlive()) {
          throw new IllegalStateException("an api process exited during start-up; its log:\n" + p.logText());
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("api processes " + waiting + " did not become ready in 120 s; a log:\n"
            + apis.get(0).logText());
      }
      String node = readyNode(port);
      if (node != null) {
        waiting.remove(node.substring(0, Math.max(0, node.indexOf('@'))));
      }
      Thread.sleep(20);
    }
  }

  /** One probe: the answering process's node name if its /health/ready said 200, else null. */
  static String readyNode(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(2000);
      s.getOutputStream().write(("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          + "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String both = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int second = both.indexOf("HTTP/1.1 ", 1);
      if (!both.startsWith("HTTP/1.1 200") || second < 0) {
        return null;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"node\"\\s*:\\s*\"([^\"]+)\"")
          .matcher(both.substring(second));
      return m.find() ? m.group(1) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** Deletes the temp dir (kept with its logs when the run failed) and every Redis key under the run's prefix. */
  private static void cleanUp(Path dir, String prefix, boolean failed) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.mlserve.config.MlserveConfig cfg = io.mlserve.config.ConfigLoader.load(null, System.getenv(),
          new JsonObject().put("redis", new JsonObject().put("prefix", prefix)));
      io.mlserve.store.RedisStore redis = new io.mlserve.store.RedisStore(vertx, cfg.redis());
      long deleted = redis.deleteAllWithPrefix().toCompletionStage().toCompletableFuture()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      redis.close();
      System.out.printf("cleaned up: %d Redis keys under %s%n", deleted, prefix);
    } catch (Exception e) {
      System.out.printf("could not delete the Redis keys under %s: %s%n", prefix, e);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    if (failed) {
      System.out.println("run failed; logs kept in " + dir);
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      System.out.println("cleaned up: " + dir);
    } catch (java.io.IOException e) {
      System.out.println("could not delete " + dir + ": " + e);
    }
  }

  private static void ready(JvmProcess p, int port) {
    if (p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 120_000) < 0) {
      throw new IllegalStateException("a process did not become ready; its log:\n" + p.logText());
    }
  }

  private LoadResult measure(String scenario, int port) throws Exception {
    int users = scenario.equals("inference") ? inferenceUsers : connections;
    try (LoadGenerator gen = new LoadGenerator(1)) {
      return gen.run("127.0.0.1", port, users, users, Duration.ofSeconds(warmupSeconds),
          Duration.ofSeconds(durationSeconds), script(scenario));
    }
  }

  private LoadGenerator.UserScript script(String scenario) {
    return switch (scenario) {
      case "recs" -> Scenarios.recommendations(943);
      case "predict" -> Scenarios.predictOnly();
      case "inference" -> {
        String[] range = think.split("-");
        double min = Double.parseDouble(range[0]);
        yield Scenarios.inferenceFlow("modelo1", min, range.length > 1 ? Double.parseDouble(range[1]) : min);
      }
      default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (recs, predict, inference)");
    };
  }

  /** Pins this JVM (every thread) to the given CPUs, so the load generator does not use the api processes' CPUs. */
  private static void pinSelf(String cpus) throws Exception {
    if (Files.isExecutable(Path.of("/usr/bin/taskset"))) {
      new ProcessBuilder("/usr/bin/taskset", "-a", "-cp", cpus, String.valueOf(ProcessHandle.current().pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
  }

  /** The 1-minute load average: how busy the shared machine was around the run. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
