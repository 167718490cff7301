package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The feed over HTTP in a feeder-only process: status, batches (200/404/425/400), restart with the admin key. */
@ExtendWith(VertxExtension.class)
class FeedRoutesTest {
  private static final String ADMIN = "feed-admin-key";
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.FEEDER), new JsonObject()
        .put("feed", new JsonObject().put("batches", 4).put("intervalMs", 60_000).put("syntheticRows", 402)
            .put("resumeOnStart", false))
        .put("security", new JsonObject().put("adminKey", ADMIN)));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("GET /feed/status: source, batches released/total and rows; batch 0 is out at once")
  void status(Vertx vertx, VertxTestContext ctx) {
    WebClient.create(vertx).get(app.port(), "127.0.0.1", "/feed/status").send()
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          JsonObject s = r.bodyAsJsonObject();
          assertThat(s.getJsonObject("source").getString("kind")).isEqualTo("synthetic");
          assertThat(s.getJsonObject("source").getString("fingerprint")).startsWith("sha256:");
          assertThat(s.getJsonObject("batches")).isEqualTo(new JsonObject().put("released", 1).put("total", 4));
          assertThat(s.getJsonObject("rows")).isEqualTo(new JsonObject().put("released", 100).put("total", 402));
          assertThat(s.getInteger("nextBatch")).isEqualTo(1);
          assertThat(s.getBoolean("complete")).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("GET /feed/batches/{n}: 200 with the rows of a released batch, 425 before, 404 unknown, 400 not a number")
  void batches(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    Checkpoint done = ctx.checkpoint(5);
    client.get(app.port(), "127.0.0.1", "/feed/batches/0").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject b = r.bodyAsJsonObject();
      assertThat(b.getInteger("batch")).isZero();
      assertThat(b.getInteger("firstRow")).isZero();
      assertThat(b.getJsonArray("rows")).hasSize(100);
      assertThat(b.getJsonArray("rows").getJsonObject(0).fieldNames()).hasSize(13).contains("Cover_Type");
      done.flag();
    })));
    client.get(app.port(), "127.0.0.1", "/feed/batches/2").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(425);
      assertThat(r.getHeader("Retry-After")).isNotNull();
      assertThat(Integer.parseInt(r.getHeader("Retry-After"))).isBetween(100, 121);
      JsonObject e = r.bodyAsJsonObject();
      assertThat(e.getString("error")).isEqualTo("too early");
      assertThat(e.getLong("retryAfterMs")).isBetween(60_000L, 120_000L);
      assertThat(e.getString("releasedAt")).isNotBlank();
      done.flag();
    })));
    client.get(app.port(), "127.0.0.1", "/feed/batches/4").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.bodyAsJsonObject().getString("detail")).contains("batches 0 to 3");
      done.flag();
    })));
    client.get(app.port(), "127.0.0.1", "/feed/batches/abc").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("n");
      done.flag();
    })));
    client.get(app.port(), "127.0.0.1", "/feed/batches/-1").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(400);
      done.flag();
    })));
  }

  @Test
  @DisplayName("POST /feed/restart needs the admin key (401 without), restarts the schedule, rejects unknown fields")
  void restart(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    client.post(app.port(), "127.0.0.1", "/feed/restart").send()
        .compose(r -> {
          ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
          });
          return client.post(app.port(), "127.0.0.1", "/feed/restart").bearerTokenAuthentication(ADMIN)
              .sendJsonObject(new JsonObject().put("batches", 3));
        })
        .compose(r -> {
          ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(422);
            assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("batches");
          });
          return client.post(app.port(), "127.0.0.1", "/feed/restart").bearerTokenAuthentication(ADMIN).send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.bodyAsJsonObject().getInteger("restarts")).isGreaterThanOrEqualTo(1);
          assertThat(r.bodyAsJsonObject().getJsonObject("batches").getInteger("released")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("the feed is a check of /health/ready; /pipeline routes are not served by a feeder-only process")
  void healthAndRoles(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    client.get(app.port(), "127.0.0.1", "/health/ready").send()
        .compose(r -> {
          ctx.verify(() -> assertThat(r.bodyAsJsonObject().getJsonArray("checks").stream()
              .map(o -> ((JsonObject) o).getString("id"))).contains("feed"));
          return client.post(app.port(), "127.0.0.1", "/pipeline/run").bearerTokenAuthentication(ADMIN).send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(404);
          ctx.completeNow();
        })));
  }
}
