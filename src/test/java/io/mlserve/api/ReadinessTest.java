package io.mlserve.api;

import io.mlserve.app.Role;
import io.mlserve.bench.JvmProcess;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class ReadinessTest {

  @Test
  @DisplayName("Redis unreachable: the service still starts, live is 200, ready is 503 naming Redis")
  void redisDown(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort = JvmProcess.freePort();
    TestApp app = TestApp.start(EnumSet.of(Role.API), new JsonObject()
        .put("redis", new JsonObject().put("url", "redis://127.0.0.1:" + closedPort)));
    unreadyCheck(vertx, ctx, app, "redis", redis ->
        assertThat(redis.getJsonObject("data").getBoolean("reachable")).isFalse());
  }

  @Test
  @DisplayName("MongoDB unreachable: live is 200, ready is 503 with the mongo check DOWN")
  void mongoDown(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort = JvmProcess.freePort();
    TestApp app = TestApp.start(EnumSet.of(Role.API), new JsonObject().put("mongo", new JsonObject()
        .put("uri", "mongodb://127.0.0.1:" + closedPort).put("serverSelectionTimeoutMs", 300)));
    unreadyCheck(vertx, ctx, app, "mongo", mongo -> { });
  }

  /**
   * Live must be 200 and ready 503 with check {@code id} DOWN; {@code more} asserts on that check; then the app is
   * closed and the test completed.
   */
  private static void unreadyCheck(Vertx vertx, VertxTestContext ctx, TestApp app, String id,
                                   java.util.function.Consumer<JsonObject> more) {
    WebClient c = WebClient.create(vertx);
    c.get(app.port(), "127.0.0.1", "/health/live").send()
        .compose(live -> {
          ctx.verify(() -> assertThat(live.statusCode()).isEqualTo(200));
          return c.get(app.port(), "127.0.0.1", "/health/ready").send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(503);
          JsonObject check = r.bodyAsJsonObject().getJsonArray("checks").stream()
              .map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(id)).findFirst().orElseThrow();
          assertThat(check.getString("status")).isEqualTo("DOWN");
          more.accept(check);
          app.close();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("with redis.required=false, Redis down is reported but ready stays 200")
  void redisOptional(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort = JvmProcess.freePort();
    TestApp app = TestApp.start(EnumSet.of(Role.API), new JsonObject()
        .put("redis", new JsonObject().put("url", "redis://127.0.0.1:" + closedPort).put("required", false)));
    WebClient.create(vertx).get(app.port(), "127.0.0.1", "/health/ready").send()
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.bodyAsString()).contains("\"reachable\":false");
          app.close();
          ctx.completeNow();
        })));
  }
}
