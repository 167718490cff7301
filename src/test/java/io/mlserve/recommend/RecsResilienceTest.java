package io.mlserve.recommend;

import io.mlserve.app.Role;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.recommend.serving.RecsKeys;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;

import static io.mlserve.recommend.RecsTestSupport.await;
import static io.mlserve.recommend.RecsTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

/** Serving while a store is down: Redis down → MongoDB answers; MongoDB down with nothing cached → 503. */
@ExtendWith(VertxExtension.class)
class RecsResilienceTest {
  @Test
  @DisplayName("with Redis unreachable the batch still succeeds and GETs are served from MongoDB, then the near cache")
  void redisDown(Vertx vertx, VertxTestContext ctx) throws Exception {
    String deadRedis = "redis://127.0.0.1:1"; // nothing listens on port 1: connections are refused at once
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.RECOMMENDER), new JsonObject()
        .put("redis", new JsonObject().put("url", deadRedis).put("required", false).put("connectTimeoutMs", 200)))) {
      WebClient client = WebClient.create(vertx);
      await(RecsTestSupport.loadAndSettle(vertx, client, app, SyntheticRatings.generate(60, 80, 1200, 2)));
      JsonObject job = await(RecsTestSupport.compute(vertx, client, app, "all"));
      assertThat(job.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(job.getJsonObject("result").getLong("redisFailures")).isPositive();
      var first = await(get(client, app, "/recommendations/3"));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.getHeader("X-Cache")).isEqualTo("mongo");
      assertThat(first.bodyAsJsonObject().getJsonArray("items")).hasSize(10);
      var second = await(get(client, app, "/recommendations/3"));
      assertThat(second.getHeader("X-Cache")).isEqualTo("near");
      var unknown = await(get(client, app, "/recommendations/4444"));
      assertThat(unknown.statusCode()).isEqualTo(200);
      assertThat(unknown.getHeader("X-Cache")).isEqualTo("fallback");
      ctx.completeNow();
    }
  }

  @Test
  @DisplayName("with MongoDB unreachable: 503 with a clear message when nothing is cached, Redis entries still served")
  void mongoDown(Vertx vertx, VertxTestContext ctx) throws Exception {
    String deadMongo = "mongodb://127.0.0.1:1";
    try (TestApp app = TestApp.start(EnumSet.of(Role.API), new JsonObject()
        .put("mongo", new JsonObject().put("uri", deadMongo).put("serverSelectionTimeoutMs", 300)))) {
      WebClient client = WebClient.create(vertx);
      JsonObject doc = new JsonObject().put("userId", 8).put("algo", "hybrid").put("computedAt", "2026-01-01T00:00:00Z")
          .put("modelVersion", "v1").put("items", new JsonArray().add(new JsonObject().put("itemId", 42).put("score", 0.9)));
      await(app.app().services().redis().setex(RecsKeys.defaultKey(8), 60, doc.encode()));
      var cached = await(get(client, app, "/recommendations/8"));
      assertThat(cached.statusCode()).isEqualTo(200);
      assertThat(cached.getHeader("X-Cache")).isEqualTo("redis");
      assertThat(cached.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getLong("itemId")).isEqualTo(42L);
      var missing = await(get(client, app, "/recommendations/9"));
      assertThat(missing.statusCode()).isEqualTo(503);
      JsonObject err = missing.bodyAsJsonObject();
      assertThat(err.getString("error")).isEqualTo("service unavailable");
      assertThat(err.getString("detail")).contains("MongoDB is unreachable").contains("user 9");
      ctx.completeNow();
    }
  }

  @Test
  @DisplayName("compute with no interactions fails with a clear error; DELETE /jobs/{id} cancels a running batch")
  void failAndCancel(Vertx vertx, VertxTestContext ctx) throws Exception {
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.RECOMMENDER), new JsonObject()
        .put("recs", new JsonObject().put("chunkUsers", 2).put("workerPoolSize", 1)))) {
      WebClient client = WebClient.create(vertx);
      JsonObject empty = await(RecsTestSupport.compute(vertx, client, app, "all"));
      assertThat(empty.getString("state")).isEqualTo("FAILED");
      assertThat(empty.getString("error")).contains("no interactions");
      await(RecsTestSupport.load(client, app, SyntheticRatings.generate(200, 100, 3000, 5)));
      JsonObject started = await(client.post(app.port(), "127.0.0.1", "/recommendations/compute")
          .sendJsonObject(new JsonObject().put("algo", "all"))).bodyAsJsonObject();
      String id = started.getString("jobId");
      var second = await(client.post(app.port(), "127.0.0.1", "/recommendations/compute")
          .sendJsonObject(new JsonObject().put("algo", "item")));
      assertThat(second.statusCode()).isEqualTo(409);
      assertThat(second.bodyAsJsonObject().getString("jobId")).isEqualTo(id);
      var cancel = await(client.delete(app.port(), "127.0.0.1", "/jobs/" + id).send());
      assertThat(cancel.statusCode()).isEqualTo(200);
      JsonObject end = await(RecsTestSupport.pollJob(vertx, client, app, id, System.currentTimeMillis() + 30_000));
      assertThat(end.getString("state")).isEqualTo("CANCELLED");
      assertThat(end.getLong("processed")).isLessThan(200L);
      ctx.completeNow();
    }
  }
}
