package io.mlserve.feed;

import io.mlserve.common.ApiError;
import io.mlserve.config.FeedConfig;
import io.mlserve.jobs.Job;
import io.mlserve.jobs.JobCancelledException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One run of the batch feeder (the work of a {@code feed.load} job): reads the feed's status, then pulls batch 0,
 * 1, ... in order, waiting for batches not released yet (425), retrying with back-off on errors and timeouts, and
 * writes each batch idempotently. Reruns and restarts never duplicate or lose a row, so a failed or interrupted load
 * is fixed by running it again.
 */
final class FeedLoader {
  private static final Logger LOG = LoggerFactory.getLogger(FeedLoader.class);
  private static final long WAIT_SLICE_MS = 200;

  private final Vertx vertx;
  private final FeedClient client;
  private final CovertypeWriter writer;
  private final FeedConfig.Retry retry;
  private final Backoff backoff;
  private final FeedMetrics metrics;
  private final Job job;
  private final long startNanos = System.nanoTime();

  private String fingerprint;
  private int batches;
  private long rows;
  private int loaded;
  private CovertypeWriter.Counts counts = CovertypeWriter.Counts.ZERO;
  private long retries;
  private String lastError;
  private Integer waitingFor;
  private int prefetchedBatch = -1;
  private Future<FeedClient.Outcome> prefetched;

  FeedLoader(Vertx vertx, FeedClient client, CovertypeWriter writer, FeedConfig.Retry retry, FeedMetrics metrics,
             Job job) {
    this.vertx = vertx;
    this.client = client;
    this.writer = writer;
    this.retry = retry;
    this.backoff = new Backoff(retry.initialBackoffMs(), retry.maxBackoffMs(),
        () -> ThreadLocalRandom.current().nextDouble());
    this.metrics = metrics;
    this.job = job;
  }

  Future<JsonObject> run() {
    job.phase("reading the feed status");
    return status(1)
        .compose(v -> batchesFrom(0))
        .compose(v -> {
          job.phase("verifying");
          Future<Long> source = writer.countSource(fingerprint);
          Future<Long> all = writer.countAll();
          return Future.all(source, all).map(x -> result(source.result(), all.result()));
        });
  }

  private Future<Void> status(int attempt) {
    job.checkCancelled();
    return client.status().compose(outcome -> {
      if (outcome instanceof FeedClient.Ok ok) {
        readStatus(ok.body());
        return Future.succeededFuture();
      }
      if (outcome instanceof FeedClient.Refused r) {
        return Future.failedFuture(refused("/feed/status", r));
      }
      String reason = outcome instanceof FeedClient.Transient t ? t.reason() : "unexpected answer " + outcome;
      return retryLater("feed status", attempt, reason).compose(v -> status(attempt + 1));
    });
  }

  private void readStatus(JsonObject status) {
    JsonObject source = status.getJsonObject("source");
    JsonObject b = status.getJsonObject("batches");
    JsonObject r = status.getJsonObject("rows");
    if (source == null || source.getString("fingerprint") == null || b == null || b.getInteger("total") == null
        || r == null || r.getLong("total") == null) {
      throw new ApiError(502, "bad feed", client.baseUrl() + "/feed/status did not describe a feed "
          + "(expected source.fingerprint, batches.total and rows.total)");
    }
    fingerprint = source.getString("fingerprint");
    batches = b.getInteger("total");
    rows = r.getLong("total");
    job.total(rows, "rows");
    LOG.info("feed load {}: {} rows in {} batches from {} ({})", job.id(), rows, batches, client.baseUrl(),
        fingerprint);
    publish();
  }

  private Future<Void> batchesFrom(int k) {
    if (k >= batches) {
      return Future.succeededFuture();
    }
    return batch(k, 1).compose(v -> batchesFrom(k + 1));
  }

  private Future<Void> batch(int k, int attempt) {
    job.checkCancelled();
    job.phase("loading batch " + k + " of " + batches);
    return fetch(k).compose(outcome -> {
      if (outcome instanceof FeedClient.Ok ok) {
        if (k + 1 < batches) {
          prefetch(k + 1); // the next batch comes over the wire while this one is written
        }
        return store(k, ok.body()).recover(t -> t instanceof ApiError || t instanceof JobCancelledException
            ? Future.failedFuture(t)
            : retryLater("writing batch " + k, attempt, t.toString()).compose(v -> batch(k, attempt + 1)));
      }
      if (outcome instanceof FeedClient.TooEarly early) {
        waitingFor = k;
        job.phase("waiting for batch " + k + " (released in " + early.retryAfterMs() + " ms)");
        publish();
        // a few ms of slack so the retry does not land a hair before the release time
        return sleep(early.retryAfterMs() + 20).compose(v -> batch(k, attempt));
      }
      if (outcome instanceof FeedClient.Refused r) {
        return Future.failedFuture(refused("/feed/batches/" + k, r));
      }
      String reason = ((FeedClient.Transient) outcome).reason();
      return retryLater("batch " + k, attempt, reason).compose(v -> batch(k, attempt + 1));
    });
  }

  /** The prefetched answer for batch {@code k} when there is one, else a new request. */
  private Future<FeedClient.Outcome> fetch(int k) {
    Future<FeedClient.Outcome> f = prefetchedBatch == k ? prefetched : null;
    prefetched = null;
    prefetchedBatch = -1;
    return f != null ? f : client.batch(k);
  }

  private void prefetch(int k) {
    if (prefetchedBatch != k) {
      prefetchedBatch = k;
      prefetched = client.batch(k);
    }
  }

  private Future<Void> store(int k, JsonObject body) {
    String source = body.getString("source");
    JsonArray list = body.getJsonArray("rows");
    Long first = body.getLong("firstRow");
    if (source == null || list == null || first == null) {
      return Future.failedFuture(new ApiError(502, "bad feed", "batch " + k + " from " + client.baseUrl()
          + " lacks source, firstRow or rows"));
    }
    if (!source.equals(fingerprint) || !Integer.valueOf(batches).equals(body.getInteger("batches"))) {
      return Future.failedFuture(ApiError.conflict("the feed changed during the load: batch " + k + " is from "
          + source + " split into " + body.getInteger("batches") + " batches, the load started with " + fingerprint
          + " in " + batches + "; run the load again"));
    }
    waitingFor = null;
    return vertx.executeBlocking(() -> BatchRows.prepare(fingerprint, k, first, plain(list)), false)
        .compose(writer::write)
        .map(c -> {
          counts = counts.plus(c);
          loaded++;
          job.advance(c.rows());
          metrics.batch(c);
          LOG.info("feed load {}: batch {}/{} stored ({} rows: {} new, {} existing, {} quarantined); {}/{} rows, "
                  + "{} rows/s", job.id(), k + 1, batches, c.rows(), c.inserted(), c.existing(), c.quarantined(),
              counts.rows(), rows, Math.round(job.rate()));
          publish();
          return null;
        });
  }

  /** Rows as plain maps and values, so the algorithm code needs no Vert.x types. */
  private static List<Object> plain(JsonArray rows) {
    List<Object> out = new ArrayList<>(rows.size());
    for (Object o : rows) {
      out.add(o instanceof JsonObject j ? j.getMap() : o);
    }
    return out;
  }

  /** Waits out the back-off before attempt {@code attempt + 1}, or fails once the attempts are used up. */
  private Future<Void> retryLater(String what, int attempt, String reason) {
    lastError = what + ": " + reason;
    if (retry.maxAttempts() > 0 && attempt >= retry.maxAttempts()) {
      return Future.failedFuture(ApiError.unavailable(what + " failed " + attempt + " times; last error: " + reason));
    }
    retries++;
    metrics.retry();
    long delay = backoff.delayMs(attempt);
    LOG.warn("feed load {}: {} failed (attempt {}{}): {}; retrying in {} ms", job.id(), what, attempt,
        retry.maxAttempts() > 0 ? " of " + retry.maxAttempts() : "", reason, delay);
    publish();
    return sleep(delay);
  }

  private static ApiError refused(String path, FeedClient.Refused r) {
    return new ApiError(502, "feed refused", "the feed answered " + r.status() + " to " + path + ": " + r.detail());
  }

  /** Sleeps in short slices so a cancel request is noticed promptly. */
  private Future<Void> sleep(long ms) {
    job.checkCancelled();
    if (ms <= 0) {
      return Future.succeededFuture();
    }
    long slice = Math.min(ms, WAIT_SLICE_MS);
    return vertx.timer(slice).compose(v -> sleep(ms - slice));
  }

  private void publish() {
    JsonObject detail = new JsonObject()
        .put("feedUrl", client.baseUrl())
        .put("source", fingerprint)
        .put("batches", new JsonObject().put("loaded", loaded).put("total", batches))
        .put("rows", new JsonObject().put("new", counts.inserted()).put("existing", counts.existing())
            .put("quarantined", counts.quarantined()).put("total", rows))
        .put("rowsPerSecond", Math.round(job.rate()))
        .put("retries", retries);
    if (waitingFor != null) {
      detail.put("waitingForBatch", waitingFor);
    }
    if (lastError != null) {
      detail.put("lastError", lastError);
    }
    job.detail(detail);
  }

  private JsonObject result(long stored, long collectionRows) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    boolean consistent = stored + counts.quarantined() == rows;
    if (!consistent) {
      LOG.warn("feed load {}: {} rows stored + {} quarantined != {} source rows (was covertype cleared during the "
          + "load?)", job.id(), stored, counts.quarantined(), rows);
    }
    return new JsonObject()
        .put("feedUrl", client.baseUrl())
        .put("source", fingerprint)
        .put("batches", batches)
        .put("rows", rows)
        .put("inserted", counts.inserted())
        .put("existing", counts.existing())
        .put("quarantined", counts.quarantined())
        .put("quarantinedNew", counts.quarantinedNew())
        .put("stored", stored)
        .put("collectionRows", collectionRows)
        .put("consistent", consistent)
        .put("retries", retries)
        .put("rowsPerSecond", Math.round(counts.rows() / Math.max(seconds, 1e-9)));
  }
}
