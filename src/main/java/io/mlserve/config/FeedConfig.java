package io.mlserve.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The Covertype data feed (served by role {@code feeder}) and the batch feeder that loads it into MongoDB.
 *
 * @param source          CSV file to serve; empty = the seeded synthetic generator
 * @param batches         how many batches the source is split into
 * @param intervalMs      a new batch is released every interval (batch k at start + k * interval)
 * @param syntheticRows   rows the synthetic source generates
 * @param seed            seed of the synthetic source
 * @param url             feed the batch feeder pulls from; empty = this process's own HTTP port
 * @param authKey         bearer key sent to the feed; empty = this process's read key, else its admin key
 * @param requestTimeoutMs a feed request still unanswered after this is retried
 * @param retry           back-off of failed feed requests
 * @param write           MongoDB bulk-write shape
 * @param resumeOnStart   whether a feeder restarted after a crash resumes the load its dead predecessor left running
 * @param faults          fault injection in the served feed (for resilience tests; all zero by default)
 */
public record FeedConfig(String source, int batches, long intervalMs, int syntheticRows, long seed, String url,
                         String authKey, long requestTimeoutMs, Retry retry, Write write, boolean resumeOnStart,
                         Faults faults) {

  /** Exponential back-off with jitter; {@code maxAttempts = 0} retries until the load is cancelled. */
  public record Retry(int maxAttempts, long initialBackoffMs, long maxBackoffMs) {
  }

  /**
   * Rows per bulk write, bulk writes in flight at once, and how rows are made idempotent: {@code insert-first}
   * (insert, count duplicate-key errors as stored rows, probe once a load meets them), {@code probe-insert} (look the
   * keys up, insert the others) or {@code upsert} (one {@code $setOnInsert} upsert per row).
   */
  public record Write(int batchSize, int concurrency, String strategy) {
    public static final Set<String> STRATEGIES = Set.of("insert-first", "probe-insert", "upsert");
  }

  /** Fractions of batch requests the feed answers with a 500 or holds for {@code stallMs} before answering. */
  public record Faults(double errorRate, double stallRate, long stallMs) {
    public boolean any() {
      return errorRate > 0 || stallRate > 0;
    }
  }

  public boolean synthetic() {
    return source.isEmpty();
  }

  static FeedConfig from(ConfigReader r) {
    String source = r.string("feed.source").trim();
    if (!source.isEmpty() && !Files.isRegularFile(Path.of(source))) {
      throw new ConfigException("feed.source", null, source, "no such file (give a CSV file, or leave it empty for "
          + "the synthetic generator)");
    }
    long initial = r.longIn("feed.retry.initialBackoffMs", 1, 600_000);
    long max = r.longIn("feed.retry.maxBackoffMs", 1, 3_600_000);
    if (max < initial) {
      throw new ConfigException("feed.retry.maxBackoffMs", null, max,
          "must be at least feed.retry.initialBackoffMs (" + initial + ")");
    }
    return new FeedConfig(
        source,
        r.intIn("feed.batches", 1, 100_000),
        r.longIn("feed.intervalMs", 0, 24L * 3600 * 1000),
        r.intIn("feed.syntheticRows", 1, 50_000_000),
        r.longIn("feed.seed", Long.MIN_VALUE, Long.MAX_VALUE),
        r.uri("feed.url", Set.of("http", "https"), true),
        r.string("feed.authKey"),
        r.longIn("feed.requestTimeoutMs", 10, 600_000),
        new Retry(r.intIn("feed.retry.maxAttempts", 0, 1_000_000), initial, max),
        new Write(r.intIn("feed.write.batchSize", 1, 100_000), r.intIn("feed.write.concurrency", 1, 64),
            r.oneOf("feed.write.strategy", Write.STRATEGIES)),
        r.bool("feed.resumeOnStart"),
        new Faults(r.doubleIn("feed.faults.errorRate", 0, 1), r.doubleIn("feed.faults.stallRate", 0, 1),
            r.longIn("feed.faults.stallMs", 0, 600_000)));
  }
}
