package io.mlserve.bench;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.mlserve.bench.load.Scenarios;
import io.mlserve.recommend.data.SyntheticRatings;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The soak: the whole service (api, recommender, inference; embedded MongoDB; the real Redis) as its own JVM under
 * the mixed scenario for a long time, cut into windows. After each window the service is made to collect garbage
 * ({@code jcmd GC.run}) so the heap figure is the live set, not whatever garbage happened to be around: a leak shows
 * as a heap-after-GC that keeps climbing, native growth as RSS that keeps climbing.
 */
public final class Soak {
  /** What to run: total measured time, how many windows it is cut into, closed-loop users, the data's size. */
  public record Settings(Duration duration, int windows, int users, int ratingUsers, int ratingItems, int ratings,
                         String heap) {
  }

  /** One window's figures. */
  public record Window(int index, double requestsPerSecond, double p50Ms, double p99Ms, long requests, long errors,
                       double rssMb, double heapAfterGcMb) {
  }

  /** Every window, plus the comparisons the verdict is made of. */
  public record Report(List<Window> windows) {
    public long requests() {
      return windows.stream().mapToLong(Window::requests).sum();
    }

    public long errors() {
      return windows.stream().mapToLong(Window::errors).sum();
    }

    /** Window 0 is the baseline (the JIT has warmed up in the untimed warm-up before it). */
    public Window first() {
      return windows.get(0);
    }

    public Window last() {
      return windows.get(windows.size() - 1);
    }

    /** Median p99 of the second half of the windows over that of the first half: above 1 means the tail grew. */
    public double p99Drift() {
      int half = windows.size() / 2;
      return median(windows.subList(windows.size() - half, windows.size())) / median(windows.subList(0, half));
    }

    private static double median(List<Window> ws) {
      double[] v = ws.stream().mapToDouble(Window::p99Ms).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * What is wrong with this run, empty when nothing: any failed request, heap after GC or RSS that grew by more
     * than the given MB from the first window to the last, or a tail that drifted up by more than the given factor.
     */
    public List<String> problems(double maxHeapGrowthMb, double maxRssGrowthMb, double maxP99Drift) {
      List<String> out = new ArrayList<>();
      if (errors() > 0) {
        out.add(errors() + " failed requests");
      }
      double heap = last().heapAfterGcMb() - first().heapAfterGcMb();
      if (heap > maxHeapGrowthMb) {
        out.add(String.format(Locale.ROOT, "heap after GC grew %.1f MB (limit %.0f)", heap, maxHeapGrowthMb));
      }
      double rss = last().rssMb() - first().rssMb();
      if (rss > maxRssGrowthMb) {
        out.add(String.format(Locale.ROOT, "RSS grew %.0f MB (limit %.0f)", rss, maxRssGrowthMb));
      }
      if (p99Drift() > maxP99Drift) {
        out.add(String.format(Locale.ROOT, "p99 drifted %.2fx (limit %.1fx)", p99Drift(), maxP99Drift));
      }
      return out;
    }

    public String table() {
      StringBuilder b = new StringBuilder("| window | req/s | p50 ms | p99 ms | requests | errors | RSS MB | heap after GC MB |\n"
          + "|---|---|---|---|---|---|---|---|\n");
      for (Window w : windows) {
        b.append(String.format(Locale.ROOT, "| %d | %.0f | %.2f | %.2f | %d | %d | %.0f | %.1f |%n", w.index() + 1,
            w.requestsPerSecond(), w.p50Ms(), w.p99Ms(), w.requests(), w.errors(), w.rssMb(), w.heapAfterGcMb()));
      }
      b.append(String.format(Locale.ROOT, "start → end: RSS %.0f → %.0f MB, heap after GC %.1f → %.1f MB, "
              + "p99 %.2f → %.2f ms (median p99, second half / first half: %.2fx); %d requests, %d errors%n",
          first().rssMb(), last().rssMb(), first().heapAfterGcMb(), last().heapAfterGcMb(), first().p99Ms(),
          last().p99Ms(), p99Drift(), requests(), errors()));
      return b.toString();
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final PrintStream progress;

  public Soak(PrintStream progress) {
    this.progress = progress;
  }

  public Report run(Settings s) throws Exception {
    Path dir = Files.createTempDirectory("mlserve-soak");
    ServiceSetup.copyShippedModel(dir.resolve("models"));
    int port = JvmProcess.freePort();
    JvmProcess.Builder b = JvmProcess.builder()
        .jvmArg("-Xmx" + s.heap())
        .args("--roles", "api,recommender,inference")
        .log(dir.resolve("service.log"))
        .env("MLSERVE_HTTP_PORT", String.valueOf(port))
        .env("MLSERVE_HTTP_HOST", "127.0.0.1")
        .env("MLSERVE_DATA_DIR", dir.resolve("data").toString())
        .env("MLSERVE_MODELS_DIR", dir.resolve("models").toString())
        .env("MLSERVE_MONGO_EMBEDDED_BACKEND", "memory")
        .env("MLSERVE_REDIS_PREFIX", "soak-" + UUID.randomUUID() + ":")
        .env("MLSERVE_LOG_LEVEL", "WARN");
    try (JvmProcess p = b.start()) {
      if (p.awaitHttp200(url(port, "/health/ready"), 120_000) < 0) {
        throw new IllegalStateException("the service did not become ready; its log:\n" + p.logText());
      }
      ServiceSetup.loadRecommendations(http, port,
          SyntheticRatings.generate(s.ratingUsers(), s.ratingItems(), s.ratings(), 42));
      Duration window = s.duration().dividedBy(s.windows());
      List<Window> windows = new ArrayList<>();
      for (int i = 0; i < s.windows(); i++) {
        Duration warmup = i == 0 ? Duration.ofSeconds(Math.min(10, Math.max(2, window.toSeconds() / 2)))
            : Duration.ZERO;
        LoadResult r;
        try (LoadGenerator gen = new LoadGenerator(1)) {
          r = gen.run("127.0.0.1", port, s.users(), s.users(), warmup, window, Scenarios.mixed(s.ratingUsers()));
        }
        gc(p);
        Window w = new Window(i, r.requestsPerSecond(), r.percentileMs(50), r.percentileMs(99), r.requests(),
            r.errors(), p.rssKb() / 1024.0,
            ServiceSetup.heapUsedMb(ServiceSetup.send(http, port, "GET", "/metrics", null)));
        windows.add(w);
        progress.printf(Locale.ROOT, "soak window %d/%d: %.0f req/s, p99 %.2f ms, %d errors, RSS %.0f MB, "
                + "heap after GC %.1f MB%s%n", i + 1, s.windows(), w.requestsPerSecond(), w.p99Ms(), w.errors(),
            w.rssMb(), w.heapAfterGcMb(), r.errors() > 0 ? " " + statuses(r) : "");
      }
      p.sigterm();
      p.waitFor(30_000);
      return new Report(windows);
    }
  }

  private static String statuses(LoadResult r) {
    StringBuilder b = new StringBuilder();
    r.series().forEach((name, series) -> b.append(name).append(' ').append(series.statusCounts()).append("; "));
    return b.toString();
  }

  /** A full collection in the service, through the JDK's own jcmd (the service exposes no such route, on purpose). */
  private static void gc(JvmProcess p) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(p.pid()), "GC.run")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!gc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || gc.exitValue() != 0) {
      gc.destroyForcibly();
      throw new IllegalStateException("jcmd " + p.pid() + " GC.run failed (is this a full JDK?)");
    }
  }

  private static String url(int port, String path) {
    return "http://127.0.0.1:" + port + path;
  }
}
