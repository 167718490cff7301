package io.mlserve.bench.load;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What a load run measured: per request name, count, statuses and latency percentiles; and the totals. */
public final class LoadResult {
  private final double seconds;
  private final Map<String, Series> series;

  LoadResult(double seconds, Map<String, Series> series) {
    this.seconds = seconds;
    this.series = new TreeMap<>(series);
  }

  /** Latencies (µs resolution, up to 60 s) and status counts of one kind of request. Thread-safe. */
  public static final class Series {
    final Histogram latencyMicros = new ConcurrentHistogram(60_000_000L, 3);
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

    void record(long latencyNanos, int status) {
      latencyMicros.recordValue(Math.max(1, Math.min(60_000_000L, latencyNanos / 1000)));
      statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    public long count() {
      return latencyMicros.getTotalCount();
    }

    /** Responses that were not 2xx/3xx, plus transport failures (status -1). */
    public long errors() {
      return statuses.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() >= 400)
          .mapToLong(e -> e.getValue().sum()).sum();
    }

    public double percentileMs(double p) {
      return latencyMicros.getValueAtPercentile(p) / 1000.0;
    }

    public Map<Integer, Long> statusCounts() {
      Map<Integer, Long> m = new TreeMap<>();
      statuses.forEach((k, v) -> m.put(k, v.sum()));
      return m;
    }
  }

  public double seconds() {
    return seconds;
  }

  public Map<String, Series> series() {
    return series;
  }

  public Series series(String name) {
    return series.get(name);
  }

  public long requests() {
    return series.values().stream().mapToLong(Series::count).sum();
  }

  public long errors() {
    return series.values().stream().mapToLong(Series::errors).sum();
  }

  public double requestsPerSecond() {
    return requests() / seconds;
  }

  /** Latency percentile over every request, in milliseconds. */
  public double percentileMs(double p) {
    Histogram all = new Histogram(60_000_000L, 3);
    series.values().forEach(s -> all.add(s.latencyMicros));
    return all.getTotalCount() == 0 ? Double.NaN : all.getValueAtPercentile(p) / 1000.0;
  }

  /** One line per request name plus a total line: req/s, p50/p95/p99/max ms, errors by status. */
  public String summary(String title) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s: %d requests in %.1f s = %.0f req/s, p50 %.2f ms, p95 %.2f ms, "
            + "p99 %.2f ms, errors %d%n", title, requests(), seconds, requestsPerSecond(), percentileMs(50),
        percentileMs(95), percentileMs(99), errors()));
    series.forEach((name, s) -> sb.append(String.format(Locale.ROOT,
        "  %-24s %8d req %8.0f req/s  p50 %7.2f  p95 %7.2f  p99 %7.2f  max %8.2f ms  statuses %s%n", name, s.count(),
        s.count() / seconds, s.percentileMs(50), s.percentileMs(95), s.percentileMs(99), s.percentileMs(100),
        s.statusCounts())));
    return sb.toString();
  }
}
