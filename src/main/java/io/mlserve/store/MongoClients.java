package io.mlserve.store;

import io.mlserve.config.MlserveConfig.MongoConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

/** Builds the vertx-mongo-client configuration from our typed config. */
public final class MongoClients {
  private MongoClients() {
  }

  public static JsonObject clientConfig(String connectionString, MongoConfig cfg) {
    return new JsonObject()
        .put("connection_string", connectionString)
        .put("db_name", cfg.db())
        .put("maxPoolSize", cfg.maxPoolSize())
        .put("serverSelectionTimeoutMS", cfg.serverSelectionTimeoutMs())
        .put("connectTimeoutMS", cfg.serverSelectionTimeoutMs())
        // a dead server must not hold a request for the driver's default 2 minutes
        .put("waitQueueTimeoutMS", cfg.serverSelectionTimeoutMs());
  }

  public static MongoClient create(Vertx vertx, String connectionString, MongoConfig cfg) {
    return MongoClient.createShared(vertx, clientConfig(connectionString, cfg), "mlserve-" + cfg.db());
  }
}
