package io.mlserve.store;

import com.mongodb.MongoClientSettings;
import com.mongodb.connection.TransportSettings;
import io.mlserve.config.MlserveConfig.MongoConfig;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.impl.config.MongoClientOptionsParser;

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
    JsonObject config = clientConfig(connectionString, cfg);
    String name = "mlserve-" + cfg.db();
    if (!onEpoll(vertx)) {
      return MongoClient.createShared(vertx, config, name);
    }
    return MongoClient.createWithMongoSettings(vertx, config, name, onVertxEventLoops(vertx, config));
  }

  /** Whether this Vert.x runs on the epoll transport (Linux; see {@code MlserveApp}). */
  static boolean onEpoll(Vertx vertx) {
    return vertx.isNativeTransportEnabled() && Epoll.isAvailable();
  }

  /**
   * The settings vertx-mongo-client derives from {@code config}, with the driver's socket I/O on Vert.x's own event
   * loops. vertx-mongo-client does that itself only on the NIO transport: on epoll it leaves the driver to start a
   * NIO event-loop group of its own, so every reply crossed one more thread (a wake-up and a context switch per
   * query, which on a 2-core machine showed up as cache-miss CPU and tail latency). An epoll channel class makes the
   * driver's channels fit Vert.x's epoll loops.
   */
  static MongoClientSettings onVertxEventLoops(Vertx vertx, JsonObject config) {
    MongoClientSettings parsed = new MongoClientOptionsParser(vertx, config).settings();
    return MongoClientSettings.builder(parsed)
        .transportSettings(TransportSettings.nettyBuilder()
            .eventLoopGroup(((VertxInternal) vertx).nettyEventLoopGroup())
            .socketChannelClass(EpollSocketChannel.class)
            .build())
        .build();
  }
}
