package io.mlserve.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexModel;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MongoDB collection names and their indexes, in one place so the storage layout in ARCHITECTURE.md has a single
 * definition. {@link #ensureIndexes} is idempotent: creating an index that exists with the same spec is a no-op.
 */
public final class Collections {
  public static final String INTERACTIONS = "interactions";
  public static final String RECOMMENDATIONS = "recommendations";
  public static final String COVERTYPE = "covertype";
  public static final String QUARANTINE = "covertype_quarantine";
  public static final String EXPERIMENTS = "experiments";
  public static final String MODELS = "models";
  public static final String JOBS = "jobs";
  public static final String PIPELINE_RUNS = "pipeline_runs";
  /** The model the inference role serves ({@code _id: "serving"}), shared by every inference process. */
  public static final String MODEL_SELECTION = "model_selection";

  private Collections() {
  }

  private static IndexModel unique(JsonObject keys, String name) {
    return new IndexModel(keys, new IndexOptions().unique(true).name(name));
  }

  private static IndexModel plain(JsonObject keys, String name) {
    return new IndexModel(keys, new IndexOptions().name(name));
  }

  /** Every index the application relies on, by collection. */
  public static Map<String, List<IndexModel>> indexes() {
    return Map.of(
        INTERACTIONS, List.of(
            unique(new JsonObject().put("userId", 1).put("itemId", 1), "user_item"),
            plain(new JsonObject().put("itemId", 1), "item")),
        RECOMMENDATIONS, List.of(
            unique(new JsonObject().put("userId", 1).put("algo", 1), "user_algo")),
        // rows are keyed by _id = <source fingerprint prefix>:<row position>, unique by construction
        COVERTYPE, List.of(
            plain(new JsonObject().put("source", 1), "source"),
            plain(new JsonObject().put("batch", 1), "batch")),
        EXPERIMENTS, List.of(
            unique(new JsonObject().put("runId", 1), "run_id")),
        MODELS, List.of(
            unique(new JsonObject().put("name", 1).put("version", 1), "name_version")),
        JOBS, List.of(
            unique(new JsonObject().put("jobId", 1), "job_id")),
        PIPELINE_RUNS, List.of(
            unique(new JsonObject().put("runId", 1), "run_id")));
  }

  public static Future<Void> ensureIndexes(MongoClient mongo) {
    List<Future<Void>> all = new ArrayList<>();
    indexes().forEach((collection, models) -> all.add(mongo.createIndexes(collection, models)));
    return Future.all(all).mapEmpty();
  }
}
