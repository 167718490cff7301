package io.mlserve.recommend.bench;

import io.mlserve.bench.JvmProcess;
import io.mlserve.recommend.data.RatingRange;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.RatingsFile;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the recommendation benchmarks share: the data set, MongoDB (an embedded mongo-java-server in the benchmark
 * JVM, memory backend, so the measured service's heap holds only the service), and the service as a real process.
 */
final class BenchSupport {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private BenchSupport() {
  }

  record Dataset(String name, RatingsBuffer ratings, int users, int items) {
  }

  /** The file if given, else MovieLens 100K from ../shared when present, else synthetic data of that shape. */
  static Dataset small(Path file) throws Exception {
    Path f = file;
    if (f == null) {
      Path shared = Path.of("..", "shared", "data", "ml-100k", "u.data");
      f = Files.isRegularFile(shared) ? shared : null;
    }
    if (f != null) {
      RatingsBuffer r = RatingsFile.read(f, RatingsFile.Format.MOVIELENS, RatingRange.defaults());
      return of(f.getFileName().toString().equals("u.data") ? "MovieLens 100K (" + f + ")" : f.toString(), r);
    }
    return of("synthetic 943 x 1682 x 100K (no ../shared/data/ml-100k)", SyntheticRatings.generate(943, 1682,
        100_000, 42));
  }

  static Dataset of(String name, RatingsBuffer r) {
    var m = io.mlserve.recommend.data.InteractionMatrix.of(r);
    return new Dataset(name, r, m.userCount(), m.itemCount());
  }

  /** Bulk-inserts the ratings (setup, not measured: unordered inserts are 2x faster than upserts here). */
  static void insert(String mongoUri, RatingsBuffer r) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MongoClient mongo = MongoClient.createShared(vertx, new JsonObject().put("connection_string", mongoUri)
          .put("db_name", "mlserve"), "bench-loader");
      await(Collections.ensureIndexes(mongo));
      long t0 = System.nanoTime();
      int chunk = 10_000;
      List<Future<?>> inFlight = new ArrayList<>();
      for (int from = 0; from < r.size(); from += chunk) {
        List<BulkOperation> ops = new ArrayList<>(chunk);
        for (int i = from; i < Math.min(r.size(), from + chunk); i++) {
          ops.add(BulkOperation.createInsert(new JsonObject().put("userId", r.user(i)).put("itemId", r.item(i))
              .put("rating", (double) r.rating(i)).put("ts", r.ts(i))));
        }
        inFlight.add(mongo.bulkWriteWithOptions(Collections.INTERACTIONS, ops, new BulkWriteOptions(false)));
        if (inFlight.size() == 2) {
          await(Future.all(inFlight));
          inFlight.clear();
        }
      }
      await(Future.all(inFlight));
      System.err.printf(Locale.ROOT, "setup: inserted %d ratings into MongoDB in %.1f s%n", r.size(),
          (System.nanoTime() - t0) / 1e9);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static JvmProcess startService(int port, String mongoUri, String redisPrefix, String heap, Map<String, String> env)
      throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("MONGO_URI", mongoUri);
    return startService(port, Files.createTempDirectory("mlserve-bench"), redisPrefix, heap, all);
  }

  /** A service with its own data directory (and, without MONGO_URI in {@code env}, its own embedded MongoDB). */
  static JvmProcess startService(int port, Path dataDir, String redisPrefix, String heap, Map<String, String> env)
      throws Exception {
    JvmProcess.Builder b = JvmProcess.builder()
        .jvmArg("-Xmx" + heap)
        .args("--roles", "api,recommender")
        .env("MLSERVE_HTTP_PORT", String.valueOf(port))
        .env("MLSERVE_HTTP_HOST", "127.0.0.1")
        .env("MLSERVE_REDIS_PREFIX", redisPrefix)
        .env("MLSERVE_LOG_LEVEL", "WARN")
        .env("MLSERVE_DATA_DIR", dataDir.toString());
    env.forEach(b::env);
    JvmProcess p = b.start();
    if (p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 90_000) < 0) {
      String log = p.logText();
      p.close();
      throw new IllegalStateException("the service did not become ready; its log:\n" + log);
    }
    return p;
  }

  static JsonObject post(int port, String path, JsonObject body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("POST " + path + ": " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  static String get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * Cores this run can actually use right now: the same CPU-bound loop on 1 thread and on 2 threads with twice the
   * work. On a machine shared with other builds this is often well below the core count, and no parallel speed-up
   * can exceed it.
   */
  static double effectiveCores() {
    long n = 400_000_000L;
    spin(n / 10);
    long t0 = System.nanoTime();
    spin(n);
    long one = System.nanoTime() - t0;
    t0 = System.nanoTime();
    Thread a = new Thread(() -> spin(n));
    Thread b = new Thread(() -> spin(n));
    a.start();
    b.start();
    try {
      a.join();
      b.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 2.0 * one / (System.nanoTime() - t0);
  }

  private static volatile long sink;

  private static void spin(long n) {
    long x = 0;
    for (long i = 0; i < n; i++) {
      x += i * i % 7;
    }
    sink = x;
  }

  /** Heap in use from the service's Prometheus metrics, in MB. */
  static double heapUsedMb(int port) throws Exception {
    return io.mlserve.bench.ServiceSetup.heapUsedMb(get(port, "/metrics"));
  }

  /** A compute run: the job's final status plus the peaks sampled while it ran. */
  record Run(JsonObject job, double peakRssMb, double peakHeapMb, double wallSeconds) {
    JsonObject result() {
      return job.getJsonObject("result", new JsonObject());
    }
  }

  static Run compute(JvmProcess p, int port, JsonObject request, long timeoutMs) throws Exception {
    long t0 = System.nanoTime();
    String jobId = post(port, "/recommendations/compute", request).getString("jobId");
    double peakRss = 0;
    double peakHeap = 0;
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      JsonObject s = new JsonObject(get(port, "/jobs/" + jobId));
      peakRss = Math.max(peakRss, p.rssKb() / 1024.0);
      peakHeap = Math.max(peakHeap, heapUsedMb(port));
      if (!"RUNNING".equals(s.getString("state"))) {
        if (!"SUCCEEDED".equals(s.getString("state"))) {
          throw new IllegalStateException("compute job ended " + s.encode());
        }
        return new Run(s, peakRss, peakHeap, (System.nanoTime() - t0) / 1e9);
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("compute still running after " + timeoutMs + " ms: " + s.encode());
      }
      Thread.sleep(200);
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }
}
