package io.mlserve.recommend.bench;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop GETs of {@code /recommendations/{random known user}} on loopback: wrk (Debian's, the leanest client
 * for raw req/s on 2 cores) when it is installed, else the in-repo Vert.x {@link LoadGenerator}.
 */
final class WrkRunner {
  record Result(String client, double requestsPerSecond, double p50Ms, double p99Ms, long requests, long errors) {
  }

  private WrkRunner() {
  }

  static boolean wrkAvailable() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(5, TimeUnit.SECONDS);
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static Result run(boolean useWrk, int port, int users, String query, int connections, int threads,
                    Duration duration) throws Exception {
    String lua = "\"/recommendations/\" .. math.random(1, " + users + ") .. \"" + query + "\"";
    return useWrk ? wrk(port, lua, connections, threads, duration)
        : vertx(port, rnd -> "/recommendations/" + (1 + rnd.nextInt(users)) + query, connections, duration);
  }

  /** The same load on one fixed path (a control: what the machine gives a trivial route). */
  static Result runFixed(boolean useWrk, int port, String path, int connections, int threads, Duration duration)
      throws Exception {
    return useWrk ? wrk(port, "\"" + path + "\"", connections, threads, duration)
        : vertx(port, rnd -> path, connections, duration);
  }

  private static Result wrk(int port, String luaPath, int connections, int threads, Duration duration)
      throws Exception {
    Path script = Files.createTempFile("recs", ".lua");
    Files.writeString(script, "math.randomseed(42)\nrequest = function()\n  return wrk.format(\"GET\", "
        + luaPath + ")\nend\n");
    Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + duration.toSeconds() + "s",
        "--latency", "-s", script.toString(), "http://127.0.0.1:" + port).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS);
    Files.deleteIfExists(script);
    double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
    long requests = (long) number(out, "([0-9]+) requests in");
    long non2xx = (long) numberOr(out, "Non-2xx or 3xx responses:\\s+([0-9]+)", 0);
    long socketErrors = 0;
    Matcher se = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
    if (se.find()) {
      for (int g = 1; g <= 4; g++) {
        socketErrors += Long.parseLong(se.group(g));
      }
    }
    return new Result("wrk", rps, latency(out, "50%"), latency(out, "99%"), requests, non2xx + socketErrors);
  }

  private static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("unexpected wrk output:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double numberOr(String out, String regex, double dflt) {
    Matcher m = Pattern.compile(regex).matcher(out);
    return m.find() ? Double.parseDouble(m.group(1)) : dflt;
  }

  /** A latency-distribution line of wrk --latency ("99%    3.21ms") in milliseconds. */
  private static double latency(String out, String pct) {
    Matcher m = Pattern.compile("\\s" + Pattern.quote(pct) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + pct + " latency in wrk output:\n" + out);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }

  private static Result vertx(int port, java.util.function.Function<java.util.SplittableRandom, String> uri,
                              int connections, Duration duration) throws Exception {
    try (LoadGenerator gen = new LoadGenerator(1)) {
      LoadResult r = gen.run("127.0.0.1", port, connections, connections, Duration.ZERO, duration,
          LoadGenerator.repeatGet("get", uri));
      return new Result("vertx", r.requestsPerSecond(), r.percentileMs(50), r.percentileMs(99), r.requests(),
          r.errors());
    }
  }

  static String format(Result r) {
    return String.format(Locale.ROOT, "%9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%d requests, %d errors, %s)",
        r.requestsPerSecond(), r.p50Ms(), r.p99Ms(), r.requests(), r.errors(), r.client());
  }
}
