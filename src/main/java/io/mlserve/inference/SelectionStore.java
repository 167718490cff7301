package io.mlserve.inference;

import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

import java.time.Instant;

/**
 * Which model the inference role serves, kept in MongoDB so it survives restarts and every inference process reads
 * the same one. No document means the configured default model at its production version.
 */
final class SelectionStore {
  static final String ID = "serving";

  /** A model name and either a pinned version or null to follow the name's production version. */
  record Selection(String name, Integer version, String source) {
    boolean followsProduction() {
      return version == null;
    }

    JsonObject toJson() {
      return new JsonObject().put("model_name", name).put("version", version).put("source", source);
    }
  }

  private final MongoClient mongo;

  SelectionStore(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** The stored selection, or the default one when nothing was selected yet. */
  Future<Selection> read(String defaultModel) {
    return mongo.findOne(Collections.MODEL_SELECTION, new JsonObject().put("_id", ID), null)
        .map(doc -> doc == null || doc.getString("model_name") == null
            ? new Selection(defaultModel, null, "default (inference.defaultModel)")
            : new Selection(doc.getString("model_name"), doc.getInteger("version"), "POST /select-model"));
  }

  Future<Void> write(Selection s) {
    JsonObject doc = new JsonObject().put("_id", ID).put("model_name", s.name()).put("version", s.version())
        .put("selectedAt", Instant.now().toString());
    return mongo.save(Collections.MODEL_SELECTION, doc).mapEmpty();
  }
}
