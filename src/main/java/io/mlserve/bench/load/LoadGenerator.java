package io.mlserve.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP load generator on Vert.x: {@code users} virtual users each run a {@link UserScript} over and
 * over (a request, or a flow of several with think time) for a duration, after a warm-up that is not recorded.
 * Latencies go to HdrHistograms per request name; statuses and transport errors are counted. Used by the benchmarks
 * and the {@code loadtest} command; where wrk is available it is the leaner client for single-route throughput.
 */
public final class LoadGenerator implements AutoCloseable {
  /** Longest a request may wait for a pooled connection, and for its answer to go on. */
  static final long REQUEST_TIMEOUT_MS = 30_000;
  private final Vertx vertx;
  private volatile Map<String, String> headers = Map.of();

  public LoadGenerator(int eventLoops) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
  }

  /**
   * Headers sent with every request of the following runs, e.g. {@code Authorization: Bearer <key>} when the target
   * has {@code MLSERVE_READ_KEY} / {@code MLSERVE_ADMIN_KEY} set.
   */
  public LoadGenerator headers(Map<String, String> headers) {
    this.headers = Map.copyOf(headers);
    return this;
  }

  /** Parses {@code "Name: value"} (curl's {@code -H} form); the value may contain colons. */
  public static Map.Entry<String, String> parseHeader(String header) {
    int colon = header.indexOf(':');
    if (colon <= 0 || header.substring(0, colon).isBlank()) {
      throw new IllegalArgumentException("a header is 'Name: value', got '" + header + "'");
    }
    return Map.entry(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
  }

  /** One virtual user's repeated unit of work. */
  @FunctionalInterface
  public interface UserScript {
    Future<?> iterate(Session session, long iteration);
  }

  /** What a script can do: send requests (recorded) and think. */
  public final class Session {
    private final HttpClient client;
    private final String host;
    private final int port;
    private final int user;
    private final SplittableRandom random;
    private final Recorder recorder;

    Session(HttpClient client, String host, int port, int user, long seed, Recorder recorder) {
      this.client = client;
      this.host = host;
      this.port = port;
      this.user = user;
      this.random = new SplittableRandom(seed);
      this.recorder = recorder;
    }

    public int user() {
      return user;
    }

    public SplittableRandom random() {
      return random;
    }

    /** Sends a request and records its latency and status under {@code name}. */
    public Future<Response> send(String name, HttpMethod method, String uri, Buffer body) {
      long start = System.nanoTime();
      // bounded waits: a request that gets no connection or no answer is a recorded failure, never a hung run
      RequestOptions opts = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri)
          .setConnectTimeout(REQUEST_TIMEOUT_MS).setIdleTimeout(REQUEST_TIMEOUT_MS);
      headers.forEach(opts::putHeader);
      if (body != null) {
        opts.putHeader("Content-Type", "application/json");
      }
      return client.request(opts)
          .compose(req -> body == null ? req.send() : req.send(body))
          .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b)))
          .andThen(ar -> recorder.record(name, System.nanoTime() - start,
              ar.succeeded() ? ar.result().status() : -1));
    }

    public Future<Response> get(String name, String uri) {
      return send(name, HttpMethod.GET, uri, null);
    }

    public Future<Void> sleep(long ms) {
      if (ms <= 0) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      vertx.setTimer(ms, id -> p.complete());
      return p.future();
    }
  }

  public record Response(int status, Buffer body) {
  }

  /**
   * Runs the script with {@code users} concurrent users against host:port; blocks until done.
   *
   * @param maxConnections HTTP/1.1 connections (pool size); usually = users for closed-loop throughput tests
   */
  public LoadResult run(String host, int port, int users, int maxConnections, Duration warmup, Duration duration,
                        UserScript script) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
            .setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5000).setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
    try {
      Recorder recorder = new Recorder();
      long start = System.nanoTime();
      long measureFrom = start + warmup.toNanos();
      long end = measureFrom + duration.toNanos();
      recorder.activateAt(measureFrom);
      List<Future<Void>> loops = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        Session s = new Session(client, host, port, u, 1000L + u, recorder);
        loops.add(loop(s, script, end));
      }
      Future.all(loops).toCompletionStage().toCompletableFuture()
          .get(warmup.plus(duration).toSeconds() + 120, TimeUnit.SECONDS);
      double seconds = (Math.min(System.nanoTime(), recorder.lastNanos()) - measureFrom) / 1e9;
      return recorder.result(Math.max(seconds, duration.toMillis() / 1000.0));
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * One user's closed loop. Each iteration starts from the previous one's callback and the user's future completes
   * once, at the end: chaining every iteration onto the last (compose/transform) would build a future chain as long
   * as the run, whose completion then recurses that deep and overflows the stack on long, fast runs.
   */
  private Future<Void> loop(Session s, UserScript script, long end) {
    Promise<Void> done = Promise.promise();
    next(s, script, end, 0, done);
    return done.future();
  }

  private void next(Session s, UserScript script, long end, long first, Promise<Void> done) {
    for (long iteration = first; ; iteration++) {
      if (System.nanoTime() >= end) {
        done.complete();
        return;
      }
      Future<?> step;
      try {
        step = script.iterate(s, iteration);
      } catch (RuntimeException e) {
        step = Future.failedFuture(e);
      }
      if (!step.isComplete()) {
        // a failed iteration is already counted by the recorder; keep the user going
        long following = iteration + 1;
        step.onComplete(ar -> next(s, script, end, following, done));
        return;
      }
      // completed at once (e.g. failed before sending): go on in this frame rather than recursing
    }
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** Collects latencies and statuses once the warm-up is over. */
  static final class Recorder {
    private final Map<String, LoadResult.Series> series = new ConcurrentHashMap<>();
    private volatile long activeFrom = Long.MAX_VALUE;
    private volatile long last;

    void activateAt(long nanos) {
      this.activeFrom = nanos;
    }

    long lastNanos() {
      return last == 0 ? System.nanoTime() : last;
    }

    void record(String name, long latencyNanos, int status) {
      long now = System.nanoTime();
      if (now - latencyNanos < activeFrom) {
        return;
      }
      last = now;
      series.computeIfAbsent(name, n -> new LoadResult.Series()).record(latencyNanos, status);
    }

    LoadResult result(double seconds) {
      return new LoadResult(seconds, Map.copyOf(series));
    }
  }

  /** Convenience for the common case: every user repeats one GET. */
  public static UserScript repeatGet(String name, java.util.function.Function<SplittableRandom, String> uri) {
    return (s, i) -> s.get(name, uri.apply(s.random()));
  }

  public static Duration seconds(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }
}
