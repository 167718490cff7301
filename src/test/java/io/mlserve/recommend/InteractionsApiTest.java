package io.mlserve.recommend;

import io.mlserve.app.Role;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;
import java.util.List;

import static io.mlserve.recommend.RecsTestSupport.await;
import static io.mlserve.recommend.RecsTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /interactions: validation, idempotent upserts, and fresh recommendations within 2 s. */
@ExtendWith(VertxExtension.class)
class InteractionsApiTest {
  private static TestApp app;
  private static Vertx vertx;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.API, Role.RECOMMENDER), new JsonObject());
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
    await(RecsTestSupport.loadAndSettle(vertx, client, app, SyntheticRatings.generate(120, 150, 3000, 11)));
    JsonObject job = await(RecsTestSupport.compute(vertx, client, app, "all"));
    assertThat(job.getString("state")).isEqualTo("SUCCEEDED");
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    vertx.close();
    app.close();
  }

  private static Future<Long> count() {
    return app.app().services().mongo().count(Collections.INTERACTIONS, new JsonObject());
  }

  private static JsonObject row(Object user, Object item, Object rating) {
    return new JsonObject().put("userId", user).put("itemId", item).put("rating", rating);
  }

  @Test
  @DisplayName("a bad element rejects the whole batch with 422 naming its index and field; nothing is written")
  void rejectsWholeBatch(VertxTestContext ctx) {
    List<Object[]> cases = List.of(
        new Object[] {row(5000, 1, 4.0), row("7", 2, 3.0), "userId", 1},
        new Object[] {row(5000, 1, 4.0), row(5001, 2, 3.0), row(5001, 0, 3.0), "itemId", 2},
        new Object[] {row(5000, 1, 4.0), row(5001, 2, 9), "rating", 1},
        new Object[] {row(5000, 1, 0.1), "rating", 0},
        new Object[] {row(5000, 1, "good"), "rating", 0},
        new Object[] {row(5000, 1.5, 3), "itemId", 0},
        new Object[] {row(5000, 1, 3).put("ts", "yesterday"), "ts", 0},
        new Object[] {row(5000, 1, 3).put("colour", "red"), "colour", 0});
    count().compose(before -> {
      Future<Void> all = Future.succeededFuture();
      for (Object[] c : cases) {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < c.length - 2; i++) {
          batch.add(c[i]);
        }
        all = all.compose(v -> client.post(app.port(), "127.0.0.1", "/interactions").sendJson(batch).map(r -> {
          ctx.verify(() -> {
            assertThat(r.statusCode()).as(batch.encode()).isEqualTo(422);
            JsonObject b = r.bodyAsJsonObject();
            assertThat(b.getString("field")).as(batch.encode()).isEqualTo(c[c.length - 2]);
            assertThat(b.getInteger("index")).as(batch.encode()).isEqualTo(c[c.length - 1]);
            assertThat(b.getString("detail")).contains("element " + c[c.length - 1]);
          });
          return null;
        }));
      }
      return all.compose(v -> count()).map(after -> {
        ctx.verify(() -> assertThat(after).isEqualTo(before));
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("malformed JSON is 400, an empty array and more than maxBatch elements are 422")
  void malformed(VertxTestContext ctx) {
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 10_001; i++) {
      tooMany.add(row(1, 1, 3));
    }
    client.post(app.port(), "127.0.0.1", "/interactions").putHeader("Content-Type", "application/json")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer("{\"userId\": 1,"))
        .compose(r -> {
          ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(400));
          return client.post(app.port(), "127.0.0.1", "/interactions").sendJson(new JsonArray());
        })
        .compose(r -> {
          ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(422));
          return client.post(app.port(), "127.0.0.1", "/interactions").sendJson(tooMany);
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(422);
          assertThat(r.bodyAsJsonObject().getString("detail")).contains("10000");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a repeated (userId, itemId) pair updates the rating instead of adding a row")
  void upsert(VertxTestContext ctx) {
    JsonObject query = new JsonObject().put("userId", 7001).put("itemId", 3);
    client.post(app.port(), "127.0.0.1", "/interactions").sendJson(row(7001, 3, 2.0))
        .compose(r -> {
          ctx.verify(() -> assertThat(r.bodyAsJsonObject().getLong("inserted")).isEqualTo(1L));
          return client.post(app.port(), "127.0.0.1", "/interactions").sendJson(row(7001, 3, 4.5));
        })
        .compose(r -> {
          ctx.verify(() -> assertThat(r.bodyAsJsonObject().getLong("updated")).isEqualTo(1L));
          return app.app().services().mongo().find(Collections.INTERACTIONS, query);
        })
        .onComplete(ctx.succeeding(docs -> ctx.verify(() -> {
          assertThat(docs).hasSize(1);
          assertThat(docs.get(0).getDouble("rating")).isEqualTo(4.5);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("after POST /interactions for U, U's recommendations are recomputed and visible within 2 s, caches included")
  void freshness(VertxTestContext ctx) {
    int user = 9;
    // warm the near cache for both keys, then interact with the current top items
    awaitNear(user, "?algo=item", System.currentTimeMillis() + 5000)
        .compose(before -> get(client, app, "/recommendations/" + user).map(d -> before))
        .compose(before -> {
          JsonArray items = before.getJsonArray("items");
          long top = items.getJsonObject(0).getLong("itemId");
          long second = items.getJsonObject(1).getLong("itemId");
          long t0 = System.currentTimeMillis();
          return client.post(app.port(), "127.0.0.1", "/interactions")
              .sendJson(new JsonArray().add(row(user, top, 5.0)).add(row(user, second, 4.0)))
              .compose(r -> awaitChange(user, "?algo=item", top, t0 + 2000))
              .compose(r -> awaitChange(user, "", top, t0 + 2000))
              .map(r -> {
                ctx.verify(() -> {
                  assertThat(System.currentTimeMillis() - t0).isLessThan(2000);
                  assertThat(r.getString("computedAt")).isNotEqualTo(before.getString("computedAt"));
                });
                return null;
              });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  /** GETs until the answer comes from the near cache (other tests' refreshes may invalidate it meanwhile). */
  private static Future<JsonObject> awaitNear(int user, String query, long deadline) {
    return get(client, app, "/recommendations/" + user + query).compose(r -> {
      if ("near".equals(r.getHeader("X-Cache"))) {
        return Future.succeededFuture(r.bodyAsJsonObject());
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture("never served from the near cache: " + r.getHeader("X-Cache"));
      }
      return awaitNear(user, query, deadline);
    });
  }

  /** Polls until the item is gone from the user's recommendations, or fails at the deadline. */
  private static Future<JsonObject> awaitChange(int user, String query, long item, long deadline) {
    return get(client, app, "/recommendations/" + user + query).compose(r -> {
      JsonObject b = r.bodyAsJsonObject();
      boolean present = b.getJsonArray("items").stream().anyMatch(o -> ((JsonObject) o).getLong("itemId") == item);
      if (!present) {
        return Future.succeededFuture(b);
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture("item " + item + " still recommended to " + user + " after 2 s: " + b.encode());
      }
      return vertx.timer(25).compose(t -> awaitChange(user, query, item, deadline));
    });
  }
}
