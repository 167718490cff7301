package io.mlserve.bench;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.mlserve.bench.load.Scenarios;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.SyntheticRatings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * recommendations and the predict scenarios. Same total CPU for the api tier in every setup, so the table shows what
 * adding processes alone buys.
 */
@Command(name = "replicas", mixinStandardHelpOptions = true,
    description = "Req/s, p99 and errors with 1, 2, 4 api processes at the same total CPU (docs/benchmarks.md).")
public final class ReplicaBench implements Callable<Integer> {
  @Option(names = "--processes", defaultValue = "1,2,4", description = "Api process counts (default ${DEFAULT-VALUE}).")
  String processes;

  @Option(names = "--scenarios", defaultValue = "recs,predict", description = "recs and/or predict (default ${DEFAULT-VALUE}).")
  String scenarios;

  @Option(names = "--connections", defaultValue = "32", description = "Closed-loop connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--duration", defaultValue = "20", description = "Measured seconds per setup (default ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--warmup", defaultValue = "8", description = "Warm-up seconds per setup (default ${DEFAULT-VALUE}).")
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
    pinSelf(otherCpus);
    Path dir = Files.createTempDirectory("mlserve-replicas");
    copyShippedModel(dir.resolve("models"));
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
          for (JvmProcess p : apis) {
            ready(p, apiPort);
          }
          if (!loaded) {
            loadRecommendations(apiPort);
            loaded = true;
          }
          for (String scenario : scenarios.split(",")) {
            LoadResult r = measure(scenario.trim(), apiPort);
            long rss = apis.stream().mapToLong(JvmProcess::rssKb).sum() / 1024;
            System.out.print(r.summary(count + " api process(es), " + scenario));
            rows.add(new String[] {String.valueOf(count), scenario.trim(),
                String.format(Locale.ROOT, "%.0f", r.requestsPerSecond()),
                String.format(Locale.ROOT, "%.2f", r.percentileMs(50)),
                String.format(Locale.ROOT, "%.2f", r.percentileMs(99)),
                String.valueOf(r.errors()), String.valueOf(rss)});
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
    }
    System.out.printf("%nreplica study: api processes pinned to CPUs %s, backend and load generator to %s, "
        + "%d connections, %d s per setup after %d s warm-up, load average at the end %s%n", apiCpus, otherCpus,
        connections, durationSeconds, warmupSeconds, loadAverage());
    System.out.println("| api processes | scenario | req/s | p50 ms | p99 ms | errors | api RSS MB (sum) |");
    System.out.println("|---|---|---|---|---|---|---|");
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

  private static void ready(JvmProcess p, int port) {
    if (p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 120_000) < 0) {
      throw new IllegalStateException("a process did not become ready; its log:\n" + p.logText());
    }
  }

  /** ML-100K-shaped synthetic ratings through the api, then one batch of every algorithm. */
  private void loadRecommendations(int port) throws Exception {
    RatingsBuffer r = SyntheticRatings.generate(943, 1682, 100_000, 42);
    for (int start = 0; start < r.size(); start += 10_000) {
      JsonArray chunk = new JsonArray();
      for (int i = start; i < Math.min(r.size(), start + 10_000); i++) {
        chunk.add(new JsonObject().put("userId", r.user(i)).put("itemId", r.item(i)).put("rating", r.rating(i)));
      }
      post(port, "/interactions", chunk.encode());
    }
    String jobId = new JsonObject(post(port, "/recommendations/compute", "{\"algo\":\"all\"}")).getString("jobId");
    long deadline = System.currentTimeMillis() + 600_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject job = new JsonObject(get(port, "/jobs/" + jobId));
      if (!"RUNNING".equals(job.getString("state"))) {
        if (!"SUCCEEDED".equals(job.getString("state"))) {
          throw new IllegalStateException("recommendation batch failed: " + job.encode());
        }
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("recommendation batch did not finish in 10 minutes");
  }

  private LoadResult measure(String scenario, int port) throws Exception {
    LoadGenerator.UserScript script = switch (scenario) {
      case "recs" -> Scenarios.recommendations(943);
      case "predict" -> Scenarios.predictOnly();
      default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (recs, predict)");
    };
    try (LoadGenerator gen = new LoadGenerator(1)) {
      return gen.run("127.0.0.1", port, connections, connections, Duration.ofSeconds(warmupSeconds),
          Duration.ofSeconds(durationSeconds), script);
    }
  }

  private String post(int port, String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private String get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void copyShippedModel(Path models) throws Exception {
    Path target = Files.createDirectories(models.resolve("modelo1").resolve("1"));
    for (String f : List.of("model.onnx", "metadata.json")) {
      Files.copy(Path.of("models", "modelo1", "1", f), target.resolve(f));
    }
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
