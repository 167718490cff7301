package io.mlserve.store;

import com.mongodb.connection.NettyTransportSettings;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig.MongoConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MongoClientsTest {
  private final MongoConfig config = ConfigLoader.load(null, Map.of()).mongo();
  private EmbeddedMongo server;
  private Vertx vertx;

  @BeforeEach
  void startServer() {
    server = EmbeddedMongo.start("memory", null, 0);
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    server.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Names of the live threads a Netty event-loop group of the driver's own would have (Netty's default naming). */
  private static Set<String> driverLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("nioEventLoopGroup") || n.startsWith("epollEventLoopGroup"))
        .collect(Collectors.toSet());
  }

  /** Unique index, bulk upsert, find and aggregation: what the recommender and the feeder rely on. */
  private static void exercise(MongoClient mongo) throws Exception {
    await(mongo.createIndexWithOptions("t", new JsonObject().put("k", 1),
        new io.vertx.ext.mongo.IndexOptions().unique(true)));
    List<BulkOperation> ops = List.of(
        BulkOperation.createUpdate(new JsonObject().put("k", 1), new JsonObject().put("$set",
            new JsonObject().put("v", 10)), true, false),
        BulkOperation.createUpdate(new JsonObject().put("k", 2), new JsonObject().put("$set",
            new JsonObject().put("v", 20)), true, false));
    assertThat(await(mongo.bulkWrite("t", ops)).getUpserts()).hasSize(2);
    Throwable dup = await(mongo.insert("t", new JsonObject().put("k", 1))
        .map(id -> (Throwable) null).recover(Future::succeededFuture));
    assertThat(dup).isNotNull();
    assertThat(dup.getMessage()).contains("duplicate key");
    assertThat(await(mongo.findOne("t", new JsonObject().put("k", 2), null)).getInteger("v")).isEqualTo(20);
    JsonArray sum = new JsonArray().add(new JsonObject().put("$group", new JsonObject().put("_id", null)
        .put("total", new JsonObject().put("$sum", "$v"))));
    List<JsonObject> rows = await(mongo.aggregate("t", sum).collect(Collectors.toList()));
    assertThat(rows).singleElement().satisfies(r -> assertThat(r.getInteger("total")).isEqualTo(30));
  }

  @Test
  @DisplayName("on epoll the driver's sockets use Vert.x's event loops: no event-loop group of its own, and "
      + "bulk upserts, unique indexes, finds and aggregation work over it")
  void epollDriverOnVertxLoops() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    assumeTrue(MongoClients.onEpoll(vertx), "epoll transport unavailable here");
    JsonObject clientConfig = MongoClients.clientConfig(server.connectionString(), config);
    var transport = MongoClients.onVertxEventLoops(vertx, clientConfig).getTransportSettings();
    assertThat(transport).isInstanceOf(NettyTransportSettings.class);
    assertThat(((NettyTransportSettings) transport).getEventLoopGroup())
        .isSameAs(((VertxInternal) vertx).nettyEventLoopGroup());
    assertThat(((NettyTransportSettings) transport).getSocketChannelClass().getSimpleName())
        .isEqualTo("EpollSocketChannel");
    Set<String> before = driverLoopThreads();
    MongoClient mongo = MongoClients.create(vertx, server.connectionString(), config);
    exercise(mongo);
    Set<String> started = driverLoopThreads();
    started.removeAll(before);
    assertThat(started).as("event-loop threads the driver started for itself").isEmpty();
    await(mongo.close());
  }

  @Test
  @DisplayName("on the NIO transport the client is vertx-mongo-client's own, and works the same")
  void nioTransport() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    assertThat(MongoClients.onEpoll(vertx)).isFalse();
    MongoClient mongo = MongoClients.create(vertx, server.connectionString(), config);
    exercise(mongo);
    await(mongo.close());
  }
}
