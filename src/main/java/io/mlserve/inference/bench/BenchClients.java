package io.mlserve.inference.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Load clients for the predict benchmark: wrk for raw single-route throughput, a counting Vert.x driver. */
final class BenchClients {
  private BenchClients() {
  }

  /** What wrk measured. */
  record WrkResult(double requestsPerSecond, double p50Ms, double p99Ms, long requests, long errors, String raw) {
  }

  static boolean wrkAvailable() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(5, TimeUnit.SECONDS);
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * {@code wrk -tT -cN -dS --latency} POSTing the {@code bodies} as JSON in turn (each wrk thread cycles through all
   * of them).
   */
  static WrkResult wrk(String url, List<String> bodies, int threads, int connections, int seconds) throws Exception {
    Path script = Files.createTempFile("mlserve-wrk", ".lua");
    Files.writeString(script, wrkScript(bodies));
    Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
        "--timeout", "10s", "-s", script.toString(), url).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(seconds + 60L, TimeUnit.SECONDS);
    Files.deleteIfExists(script);
    double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
    long requests = (long) number(out, "([0-9]+) requests in");
    long non2xx = (long) number(out, "Non-2xx or 3xx responses:\\s+([0-9]+)");
    long socketErrors = 0;
    Matcher m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
        .matcher(out);
    if (m.find()) {
      for (int g = 1; g <= 4; g++) {
        socketErrors += Long.parseLong(m.group(g));
      }
    }
    return new WrkResult(rps, latencyMs(out, "50%"), latencyMs(out, "99%"), requests, non2xx + socketErrors, out);
  }

  /** The wrk script: one body is wrk's static request; several are formatted once per thread and sent in turn. */
  static String wrkScript(List<String> bodies) {
    if (bodies.isEmpty()) {
      throw new IllegalArgumentException("wrk needs at least one body");
    }
    StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\n")
        .append("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
    if (bodies.size() == 1) {
      return lua.append("wrk.body = [==[").append(bodies.get(0)).append("]==]\n").toString();
    }
    lua.append("local bodies = {\n");
    for (String b : bodies) {
      lua.append("[==[").append(b).append("]==],\n");
    }
    return lua.append("}\nlocal requests = {}\nlocal last = 0\n")
        .append("function init(args)\n")
        .append("  for i, b in ipairs(bodies) do requests[i] = wrk.format(nil, nil, nil, b) end\n")
        .append("end\n")
        .append("function request()\n  last = last % #requests + 1\n  return requests[last]\nend\n")
        .toString();
  }

  private static double number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static double latencyMs(String text, String pct) {
    Matcher m = Pattern.compile("\\s" + Pattern.quote(pct) + "\\s+([0-9.]+)(us|ms|s)").matcher(text);
    if (!m.find()) {
      return Double.NaN;
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }

  /** Outcome of a closed-loop run of one POST. */
  record CountResult(long ok, long failed, double seconds) {
  }

  /**
   * Sends POSTs of {@code body} over {@code lanes} connections until {@code total} were sent or {@code seconds}
   * passed, whichever comes first.
   */
  static CountResult post(int port, String path, Buffer body, int total, double seconds, int lanes)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true),
          new PoolOptions().setHttp1MaxSize(lanes));
      AtomicInteger next = new AtomicInteger();
      AtomicLong ok = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long t0 = System.nanoTime();
      long deadline = t0 + (long) (seconds * 1e9);
      List<Future<Void>> all = new ArrayList<>();
      for (int l = 0; l < lanes; l++) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        vertx.runOnContext(v -> lane(vertx, client, port, path, body, total, deadline, next, ok, failed, done));
        all.add(done.future());
      }
      Future.all(all).toCompletionStage().toCompletableFuture().get((long) seconds + 600, TimeUnit.SECONDS);
      return new CountResult(ok.get(), failed.get(), (System.nanoTime() - t0) / 1e9);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void lane(Vertx vertx, WebClient c, int port, String path, Buffer body, int total, long deadline,
                           AtomicInteger next, AtomicLong ok, AtomicLong failed, io.vertx.core.Promise<Void> done) {
    if (next.getAndIncrement() >= total || System.nanoTime() > deadline) {
      done.complete();
      return;
    }
    c.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json").sendBuffer(body.copy())
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 200) {
            ok.incrementAndGet();
          } else if (failed.incrementAndGet() <= 3) {
            System.err.println("request failed: " + (ar.succeeded() ? ar.result().statusCode() + " "
                + ar.result().bodyAsString() : ar.cause()));
          }
          // next request from a fresh stack: a run of immediate failures must not recurse
          vertx.runOnContext(v -> lane(vertx, c, port, path, body, total, deadline, next, ok, failed, done));
        });
  }

  static String fmt(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
