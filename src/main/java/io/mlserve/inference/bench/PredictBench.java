package io.mlserve.inference.bench;

import ch.qos.logback.classic.Level;
import io.mlserve.bench.CpuUse;
import io.mlserve.bench.JvmProcess;
import io.mlserve.bench.ThreadCpu;
import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import static io.mlserve.inference.bench.BenchClients.fmt;

/**
 * {@code bench predict}: the inference service as a separate process (roles api + inference). Single-row
 * {@code POST /predict} with micro-batching on and off, array throughput, model load time, RSS around 1M
 * predictions, and the user flow (GET /models → POST /select-model → POST /predict with think time).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "POST /predict throughput and latency (batching on vs off), rows/s for arrays, model load time,"
        + " RSS before/after 1M predictions, and the 500-user flow.")
public final class PredictBench implements Callable<Integer> {
  /** The servers' log level unless --env sets one: WARN leaves out the access log, to time inference alone. */
  private static final String SERVER_LOG_LEVEL = "WARN";

  @Option(names = "--duration", defaultValue = "20", description = "Seconds per single-row run (default ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Single-row rounds per mode, on and off alternating (default ${DEFAULT-VALUE}); medians are compared.")
  int rounds;

  @Option(names = "--warmup", defaultValue = "10",
      description = "Unmeasured single-row seconds per server before the rounds (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--distinct-rows", defaultValue = "1024", description = "Different rows the single-row load sends"
      + " in turn (default ${DEFAULT-VALUE}); 1 sends the same row every time, which keeps its path through the trees"
      + " in cache and flatters unbatched runs.")
  int distinctRows;

  @Option(names = "--connections", defaultValue = "32", description = "Connections for single-row runs (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--predictions", defaultValue = "1000000", description = "Rows predicted between the two RSS readings (default ${DEFAULT-VALUE}).")
  int predictions;

  @Option(names = "--array-seconds", defaultValue = "10", description = "Seconds per array size (default ${DEFAULT-VALUE}).")
  int arraySeconds;

  @Option(names = "--users", defaultValue = "500", description = "Simulated users in the flow (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--flow-seconds", defaultValue = "30", description = "Measured seconds of the user flow (default ${DEFAULT-VALUE}).")
  int flowSeconds;

  @Option(names = "--models-dir", defaultValue = "models",
      description = "Models to serve (default ${DEFAULT-VALUE}); without a modelo1 there, a synthetic forest is used.")
  Path modelsDir;

  @Option(names = "--trees", defaultValue = "100", description = "Synthetic forest: trees (default ${DEFAULT-VALUE}).")
  int trees;

  @Option(names = "--depth", defaultValue = "10", description = "Synthetic forest: depth (default ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--env", description = "Extra server environment, NAME=VALUE (repeatable), e.g."
      + " MLSERVE_INFERENCE_MAX_WAIT_MICROS=500.")
  List<String> env = new ArrayList<>();

  @Option(names = "--skip", description = "Parts to skip: engine, arrays, memory, flow (repeatable).")
  List<String> skip = new ArrayList<>();

  @Option(names = "--wrk-threads", defaultValue = "1", description = "wrk threads (default ${DEFAULT-VALUE}: one"
      + " thread's CPU share is below a core at these rates, and a second only adds a runnable thread on two cores).")
  int wrkThreads;

  @Option(names = "--jvm-args", defaultValue = "-Xmx1g", description = "JVM options of the server (default ${DEFAULT-VALUE}).")
  String jvmArgs;

  @Option(names = "--rows", defaultValue = BenchRows.DEFAULT_CSV, description = "Rows to send: a Covertype CSV"
      + " (default ${DEFAULT-VALUE}, real rows; synthetic ones where it is missing) or synthetic.")
  String rowSource;

  /** 10,000 rows: the largest array, and the pool the single-row load and the flow draw from. */
  private List<Map<String, Object>> rows;

  @Override
  public Integer call() throws Exception {
    BenchRows loaded = BenchRows.load(rowSource, 10_000);
    rows = loaded.rows();
    Path models = modelsToServe();
    System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, shared with the load "
        + "generator (and possibly other work): one run, noisy figures");
    String level = extraEnv(env).getOrDefault("MLSERVE_LOG_LEVEL", SERVER_LOG_LEVEL);
    // the access log writes at INFO
    System.out.println("server log level: " + level + (Level.toLevel(level, Level.WARN).isGreaterOrEqual(Level.WARN)
        ? " (no access-log line per request; the default INFO writes one: --env MLSERVE_LOG_LEVEL=INFO)"
        : " (one access-log line per request, as by default)"));
    if (distinctRows < 1 || distinctRows > rows.size()) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--distinct-rows must be 1.." + rows.size() + ", got " + distinctRows);
    }
    List<String> bodies = rows.subList(0, distinctRows).stream().map(r -> new JsonObject(r).encode()).toList();
    System.out.println("rows: " + loaded.source());
    System.out.println("single-row load: " + distinctRows + (distinctRows == 1 ? " row, the same every request"
        : " different rows in turn"));
    // before the servers start, so the engine has the cores to itself
    double[] engine = skip.contains("engine") ? null
        : EngineRunCost.measure(models, "modelo1", rows.subList(0, distinctRows), 6);
    // both servers run from the start and the rounds alternate, so JIT warm-up and a noisy neighbour weigh on both
    // modes alike (measured one after the other, the first mode ran on a colder JVM)
    try (Server on = Server.start(models, true, jvmArgs, env); Server off = Server.start(models, false, jvmArgs, env)) {
      System.out.println(fmt("model: %s version %s, load %s ms", on.selected().getString("model_name"),
          on.selected().getInteger("servingVersion"), on.selected().getLong("loadMs")));
      warm(on, bodies);
      warm(off, bodies);
      List<SingleRowReport.Round> onRounds = new ArrayList<>();
      List<SingleRowReport.Round> offRounds = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        onRounds.add(singleRow(on, bodies, "batching on, round " + (r + 1)));
        offRounds.add(singleRow(off, bodies, "batching off, round " + (r + 1)));
      }
      SingleRowReport.print(onRounds, offRounds, engine, CpuUse.available());
      if (!skip.contains("arrays")) {
        arrays(on, 256, arraySeconds);
        arrays(on, 10_000, arraySeconds);
      }
      if (!skip.contains("memory")) {
        memory(on);
      }
      if (!skip.contains("flow")) {
        flow(on);
      }
    }
    return 0;
  }

  private void warm(Server s, List<String> bodies) throws Exception {
    if (BenchClients.wrkAvailable()) {
      BenchClients.wrk(s.url("/predict"), bodies, wrkThreads, connections, warmup);
    } else {
      javaClient(s, bodies, warmup);
    }
  }

  private Path modelsToServe() throws Exception {
    if (Files.isDirectory(modelsDir.resolve("modelo1"))) {
      System.out.println("models: " + modelsDir.toAbsolutePath());
      return modelsDir;
    }
    Path dir = Files.createTempDirectory("mlserve-bench-models");
    long t0 = System.nanoTime();
    int nodes = SyntheticModel.write(dir, "modelo1", 1, trees, depth, 7);
    System.out.println(fmt("models: no modelo1 in %s; synthetic forest of %d trees, depth %d, %d nodes (made in %.1f"
        + " s)", modelsDir, trees, depth, nodes, (System.nanoTime() - t0) / 1e9));
    return dir;
  }

  /** Single-row load from the Java client (where wrk is missing): each request one of the bodies, at random. */
  private LoadResult javaClient(Server s, List<String> bodies, int seconds) throws Exception {
    List<Buffer> b = bodies.stream().map(Buffer::buffer).toList();
    try (LoadGenerator gen = new LoadGenerator(1)) {
      return gen.run("127.0.0.1", s.port, connections, connections, LoadGenerator.seconds(0),
          LoadGenerator.seconds(seconds), (sess, i) -> sess.send("predict", HttpMethod.POST, "/predict",
              b.get(sess.random().nextInt(b.size()))));
    }
  }

  /** The server's thread groups: the runners that call ONNX Runtime, the HTTP event loops, everything else. */
  private static String threadGroup(String name) {
    return name.startsWith("mlserve-inferen") ? "runners" : name.startsWith("vert.x-eventloo") ? "event loops"
        : "other threads";
  }

  private SingleRowReport.Round singleRow(Server s, List<String> bodies, String label) throws Exception {
    double[] before = s.batchStats();
    SingleRowReport.Round result;
    boolean wrk = BenchClients.wrkAvailable();
    CpuUse.Mark cpuFrom = CpuUse.mark(s.process.pid());
    Map<String, Double> threadsFrom = ThreadCpu.read(s.process.pid(), PredictBench::threadGroup);
    if (wrk) {
      BenchClients.WrkResult w = BenchClients.wrk(s.url("/predict"), bodies, wrkThreads, connections, duration);
      result = new SingleRowReport.Round(w.requestsPerSecond(), w.p50Ms(), w.p99Ms(), w.errors());
      System.out.println(fmt("single-row POST /predict, %s (wrk -t%d, %d connections, %d s): %.0f req/s, p50 %.2f ms,"
          + " p99 %.2f ms, errors %d of %d", label, wrkThreads, connections, duration, w.requestsPerSecond(), w.p50Ms(),
          w.p99Ms(), w.errors(), w.requests()));
    } else {
      LoadResult r = javaClient(s, bodies, duration);
      result = new SingleRowReport.Round(r.requestsPerSecond(), r.percentileMs(50), r.percentileMs(99), r.errors());
      System.out.print(r.summary("single-row POST /predict, " + label + " (Java client; wrk not installed)"));
    }
    CpuUse cpu = CpuUse.since(cpuFrom);
    Map<String, Double> threads = ThreadCpu.between(threadsFrom,
        ThreadCpu.read(s.process.pid(), PredictBench::threadGroup));
    double[] after = s.batchStats();
    double runs = after[1] - before[1];
    double batches = after[3] - before[3];
    System.out.println(fmt("  mean rows per ORT run: %.1f (%.0f runs); requests per api-side batch: %s",
        runs == 0 ? 0 : (after[0] - before[0]) / runs, runs,
        batches == 0 ? "none coalesced" : fmt("%.1f (%.0f batches)", (after[2] - before[2]) / batches, batches)));
    if (!CpuUse.available() || result.rps() <= 0) {
      return result;
    }
    double served = result.rps() * cpu.wallSeconds();
    double micros = cpu.processSeconds(0) * 1e6 / served;
    System.out.println("  " + cpu.perRequest(served, wrk, "server"));
    StringBuilder split = new StringBuilder("  server threads per request:");
    for (String group : List.of("runners", "event loops", "other threads")) {
      split.append(fmt(" %s %.1f us,", group, threads.getOrDefault(group, 0.0) * 1e6 / served));
    }
    System.out.println(split.substring(0, split.length() - 1));
    return new SingleRowReport.Round(result.rps(), result.p50(), result.p99(), result.errors(), micros,
        threads.getOrDefault("runners", 0.0) * 1e6 / served, wrk ? cpu.childSeconds() * 1e6 / served : 0);
  }

  private void arrays(Server s, int size, int seconds) throws Exception {
    Buffer body = new JsonArray(List.copyOf(rows.subList(0, size))).toBuffer();
    BenchClients.post(s.port, "/predict", body, Integer.MAX_VALUE, 2, 4); // warm-up
    BenchClients.CountResult r = BenchClients.post(s.port, "/predict", body, Integer.MAX_VALUE, seconds, 4);
    System.out.println(fmt("array POST /predict of %d rows (4 connections, %d s): %d requests = %.0f rows/s (goal"
        + " >= 200,000), %.1f ms per request, failures %d", size, seconds, r.ok(), r.ok() * size / r.seconds(),
        r.seconds() * 1000 * 4 / Math.max(1, r.ok()), r.failed()));
  }

  private void memory(Server s) throws Exception {
    Buffer body = new JsonArray(List.copyOf(rows.subList(0, 1000))).toBuffer();
    BenchClients.post(s.port, "/predict", body, 100, 600, 4); // 100k predictions to settle heap and arenas
    long rssBefore = s.process.rssKb();
    int requests = predictions / 1000;
    BenchClients.CountResult half = BenchClients.post(s.port, "/predict", body, requests / 2, 1800, 4);
    long rssHalf = s.process.rssKb();
    BenchClients.CountResult rest = BenchClients.post(s.port, "/predict", body, requests - requests / 2, 1800,
        4);
    long rssAfter = s.process.rssKb();
    System.out.println(fmt("RSS around %d predictions (arrays of 1,000): before %.0f MB, halfway %.0f MB, after %.0f"
            + " MB (growth %.0f MB), failures %d", (half.ok() + rest.ok()) * 1000, rssBefore / 1024.0,
        rssHalf / 1024.0, rssAfter / 1024.0, (rssAfter - rssBefore) / 1024.0, half.failed() + rest.failed()));
  }

  private void flow(Server s) throws Exception {
    Buffer select = new JsonObject().put("model_name", s.selected().getString("model_name")).toBuffer();
    try (LoadGenerator gen = new LoadGenerator(1)) {
      LoadResult r = gen.run("127.0.0.1", s.port, users, users, LoadGenerator.seconds(5),
          LoadGenerator.seconds(flowSeconds), (sess, i) -> {
            Buffer row = new JsonObject(rows.get(sess.random().nextInt(rows.size()))).toBuffer();
            return sess.get("GET /models", "/models")
                .compose(x -> sess.sleep(think(sess)))
                .compose(x -> sess.send("POST /select-model", HttpMethod.POST, "/select-model", select))
                .compose(x -> sess.sleep(think(sess)))
                .compose(x -> sess.send("POST /predict", HttpMethod.POST, "/predict", row))
                .compose(x -> sess.sleep(think(sess)));
          });
      System.out.print(r.summary(fmt("user flow, %d users, think 1-2.5 s, %d s", users, flowSeconds)));
      System.out.println(fmt("user flow failures: %d (goal 0)", r.errors()));
    }
  }

  private static long think(LoadGenerator.Session s) {
    return 1000 + s.random().nextInt(1501);
  }

  /** The server process under test. */
  /** The {@code --env NAME=VALUE} options by name, a later one winning; entries without a name are ignored. */
  static Map<String, String> extraEnv(List<String> env) {
    Map<String, String> byName = new java.util.LinkedHashMap<>();
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        byName.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    return byName;
  }

  private static final class Server implements AutoCloseable {
    final JvmProcess process;
    final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private Server(JvmProcess process, int port) {
      this.process = process;
      this.port = port;
    }

    static Server start(Path models, boolean batching, String jvmArgs, List<String> env) throws Exception {
      int port = JvmProcess.freePort();
      JvmProcess.Builder b = JvmProcess.builder()
          .env("MLSERVE_HTTP_PORT", String.valueOf(port))
          .env("MLSERVE_DATA_DIR", Files.createTempDirectory("mlserve-bench").toString())
          .env("MLSERVE_MONGO_EMBEDDED_BACKEND", "memory")
          .env("MLSERVE_MODELS_DIR", models.toAbsolutePath().toString())
          .env("MLSERVE_REDIS_PREFIX", "bench-" + UUID.randomUUID() + ":")
          .env("MLSERVE_LOG_LEVEL", SERVER_LOG_LEVEL)
          .env("MLSERVE_INFERENCE_BATCHING", Boolean.toString(batching))
          .args("--roles", "api,inference");
      extraEnv(env).forEach(b::env);
      b.jvmArgs(jvmArgs);
      JvmProcess p = b.start();
      if (p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 120_000) < 0) {
        String log = p.logText();
        p.close();
        throw new IllegalStateException("server did not become ready; its log:\n" + log);
      }
      return new Server(p, port);
    }

    String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }

    String get(String path) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString())
          .body();
    }

    JsonObject selected() throws Exception {
      return new JsonObject(get("/models")).getJsonObject("selected");
    }

    /** Sum and count of mlserve_batch_size, then of mlserve_predict_coalesced_requests, from /metrics. */
    double[] batchStats() throws Exception {
      String[] names = {"mlserve_batch_size_sum", "mlserve_batch_size_count", "mlserve_predict_coalesced_requests_sum",
          "mlserve_predict_coalesced_requests_count"};
      double[] values = new double[names.length];
      for (String line : get("/metrics").split("\n")) {
        for (int i = 0; i < names.length; i++) {
          if (line.startsWith(names[i] + " ") || line.startsWith(names[i] + "{")) {
            values[i] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
      return values;
    }

    @Override
    public void close() throws Exception {
      process.sigterm();
      process.waitFor(20_000);
      process.close(); // kills it if SIGTERM did not end it, and deletes its log
    }
  }
}
