package io.mlserve.feed;

import io.mlserve.common.ApiError;
import io.mlserve.config.FeedConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's feed (a {@code Services.shared} singleton). The release schedule starts with the feeder role; the
 * rows are read or generated on first use, on a worker thread, so a process that never serves its feed pays
 * nothing for it and start-up stays fast (15,000 synthetic rows take about a second on a cold JVM).
 */
public final class FeedHolder {
  private static final Logger LOG = LoggerFactory.getLogger(FeedHolder.class);

  private Vertx vertx;
  private FeedConfig config;
  private FeedSchedule schedule;
  private Future<Feed> feed;
  private String failure;

  synchronized void init(Vertx vertx, FeedConfig config, FeedSchedule schedule) {
    this.vertx = vertx;
    this.config = config;
    this.schedule = schedule;
    this.feed = null;
    this.failure = null;
  }

  synchronized void clear() {
    this.vertx = null;
    this.feed = null;
  }

  /** The feed, loading it on first use; 503 when the feeder role is not running here or the source cannot load. */
  public synchronized Future<Feed> feed() {
    if (vertx == null) {
      return Future.failedFuture(ApiError.unavailable("the feed is not running in this process"));
    }
    if (feed == null) {
      long t0 = System.nanoTime();
      FeedConfig cfg = config;
      FeedSchedule s = schedule;
      feed = vertx.executeBlocking(() -> Feed.load(cfg, s), false)
          .onSuccess(f -> LOG.info("feed loaded in {} ms: {} ({} rows, {}), {} batches, one every {} ms",
              (System.nanoTime() - t0) / 1_000_000, f.source().description(), f.source().size(),
              f.source().fingerprint(), s.batches(), s.intervalMs()))
          .recover(t -> {
            synchronized (this) {
              failure = t.getMessage();
            }
            LOG.error("the feed source cannot be loaded: {}", t.toString());
            return Future.failedFuture(ApiError.unavailable("the feed source cannot be loaded: " + t.getMessage()));
          });
    }
    return feed;
  }

  /** Null while fine (or not loaded yet); the reason once loading the source failed. */
  public synchronized String failure() {
    return failure;
  }

  public synchronized boolean loaded() {
    return feed != null && feed.succeeded();
  }
}
