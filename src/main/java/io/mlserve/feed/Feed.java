package io.mlserve.feed;

import io.mlserve.common.ApiError;
import io.mlserve.config.FeedConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The served feed of one process: the source, its release schedule and every batch serialized once up front, so
 * serving a batch is handing out a ready buffer. Shared by all HTTP server instances of the process.
 */
public final class Feed {
  private final FeedSource source;
  private final FeedSchedule schedule;
  private final Buffer[] bodies;
  private final FeedFaults faults;
  private final long stallMs;

  Feed(FeedSource source, FeedSchedule schedule, FeedFaults faults, long stallMs) {
    this.source = source;
    this.schedule = schedule;
    this.faults = faults;
    this.stallMs = stallMs;
    this.bodies = new Buffer[schedule.batches()];
    for (int k = 0; k < bodies.length; k++) {
      bodies[k] = serialize(k);
    }
  }

  /** Loads the configured source (blocking: reads or generates the rows) released on {@code schedule}. */
  public static Feed load(FeedConfig cfg, FeedSchedule schedule) throws IOException {
    FeedSource source = cfg.synthetic() ? FeedSource.synthetic(cfg.seed(), cfg.syntheticRows())
        : FeedSource.csv(Path.of(cfg.source()));
    FeedFaults faults = new FeedFaults(cfg.faults().errorRate(), cfg.faults().stallRate(),
        () -> ThreadLocalRandom.current().nextDouble());
    return new Feed(source, schedule, faults, cfg.faults().stallMs());
  }

  private Buffer serialize(int k) {
    int batches = schedule.batches();
    int first = FeedSchedule.firstRow(k, batches, source.size());
    int count = FeedSchedule.rowCount(k, batches, source.size());
    JsonArray rows = new JsonArray(new java.util.ArrayList<>(count));
    for (int i = first; i < first + count; i++) {
      rows.add(new JsonObject(source.rows().get(i)));
    }
    return new JsonObject()
        .put("batch", k)
        .put("batches", batches)
        .put("source", source.fingerprint())
        .put("firstRow", first)
        .put("count", count)
        .put("rows", rows)
        .toBuffer();
  }

  public FeedSource source() {
    return source;
  }

  public FeedSchedule schedule() {
    return schedule;
  }

  public FeedFaults faults() {
    return faults;
  }

  public long stallMs() {
    return stallMs;
  }

  /**
   * The serialized batch {@code k}: 404 when there is no such batch, 425 (with {@code retryAfterMs} and
   * {@code releasedAt}) while it is not released yet.
   */
  public Buffer batch(int k) {
    int batches = schedule.batches();
    if (k < 0 || k >= batches) {
      throw ApiError.notFound("no batch " + k + "; the feed has batches 0 to " + (batches - 1))
          .with("batches", batches);
    }
    if (!schedule.isReleased(k)) {
      long wait = schedule.msUntil(k);
      throw new ApiError(425, "too early", "batch " + k + " is released in " + wait + " ms")
          .with("batch", k)
          .with("releasedAt", Instant.ofEpochMilli(schedule.releaseAtMs(k)).toString())
          .with("retryAfterMs", wait);
    }
    return bodies[k];
  }

  public void restart() {
    schedule.restart();
  }

  public JsonObject status() {
    int batches = schedule.batches();
    int released = schedule.released();
    int rows = source.size();
    int releasedRows = FeedSchedule.firstRow(released, batches, rows);
    JsonObject json = new JsonObject()
        .put("source", new JsonObject()
            .put("kind", source.kind())
            .put("description", source.description())
            .put("fingerprint", source.fingerprint())
            .put("rows", rows))
        .put("batches", new JsonObject().put("released", released).put("total", batches))
        .put("rows", new JsonObject().put("released", releasedRows).put("total", rows))
        .put("intervalMs", schedule.intervalMs())
        .put("startedAt", Instant.ofEpochMilli(schedule.startMs()).toString())
        .put("restarts", schedule.restarts())
        .put("complete", released == batches);
    if (released < batches) {
      json.put("nextBatch", released)
          .put("nextReleaseAt", Instant.ofEpochMilli(schedule.releaseAtMs(released)).toString());
    }
    return json;
  }
}
