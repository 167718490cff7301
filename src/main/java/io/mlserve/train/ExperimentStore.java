package io.mlserve.train;

import io.mlserve.common.ApiError;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;

import java.time.Instant;

/**
 * The {@code experiments} collection: one document per training run (params, metrics, duration, data rows and hash,
 * status {@code running | succeeded | failed | cancelled}), written when the run starts and updated when it ends.
 */
public final class ExperimentStore {
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  private final MongoClient mongo;

  public ExperimentStore(MongoClient mongo) {
    this.mongo = mongo;
  }

  public Future<Void> started(JsonObject doc) {
    Instant now = Instant.now();
    // startedAtMs sorts correctly; ISO strings with 0, 3, 6 or 9 fraction digits do not always
    return mongo.insert(Collections.EXPERIMENTS, doc.copy().put("status", RUNNING)
        .put("startedAt", now.toString()).put("startedAtMs", now.toEpochMilli())).mapEmpty();
  }

  /** Merges {@code fields} (status, metrics, durationMs, error, ...) into the run's document. */
  public Future<Void> update(String runId, JsonObject fields) {
    return mongo.updateCollection(Collections.EXPERIMENTS, new JsonObject().put("runId", runId),
        new JsonObject().put("$set", fields)).mapEmpty();
  }

  public Future<Void> finished(String runId, String status, JsonObject fields) {
    return update(runId, fields.copy().put("status", status).put("finishedAt", Instant.now().toString()));
  }

  /** Newest first; {@code filter} may hold status, mode and jobId. */
  public Future<JsonArray> list(JsonObject filter, int limit) {
    return mongo.findWithOptions(Collections.EXPERIMENTS, filter, new FindOptions()
            .setSort(new JsonObject().put("startedAtMs", -1)).setLimit(limit)
            .setFields(new JsonObject().put("_id", 0)))
        .map(JsonArray::new);
  }

  public Future<JsonObject> get(String runId) {
    return mongo.findOne(Collections.EXPERIMENTS, new JsonObject().put("runId", runId),
            new JsonObject().put("_id", 0))
        .compose(doc -> doc == null ? Future.failedFuture(ApiError.notFound("no experiment " + runId))
            : Future.succeededFuture(doc));
  }
}
