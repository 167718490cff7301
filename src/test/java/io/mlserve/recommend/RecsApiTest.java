package io.mlserve.recommend;

import io.mlserve.app.Role;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.recommend.serving.RecsKeys;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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

/** The recommendation API end to end: real embedded MongoDB, real Redis, the recommender on its worker pool. */
@ExtendWith(VertxExtension.class)
class RecsApiTest {
  private static TestApp app;
  private static Vertx vertx;
  private static WebClient client;
  private static JsonObject batch;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.API, Role.RECOMMENDER), new JsonObject()
        .put("recs", new JsonObject().put("chunkUsers", 40))
        .put("cache", new JsonObject().put("ttlSeconds", 900)));
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
    RatingsBuffer ratings = SyntheticRatings.generate(150, 200, 4500, 7);
    await(RecsTestSupport.loadAndSettle(vertx, client, app, ratings));
    batch = await(RecsTestSupport.compute(vertx, client, app, "all"));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    vertx.close();
    app.close();
  }

  private static JsonObject body(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject();
  }

  @Test
  @DisplayName("the batch job succeeds for every user and reports users/s")
  void batchJob() {
    assertThat(batch.getString("state")).as(batch.encode()).isEqualTo("SUCCEEDED");
    assertThat(batch.getLong("processed")).isEqualTo(150L);
    JsonObject result = batch.getJsonObject("result");
    assertThat(result.getInteger("users")).isEqualTo(150);
    assertThat(result.getLong("documents")).isEqualTo(150L * 4);
    assertThat(result.getDouble("usersPerSecond")).isPositive();
  }

  @Test
  @DisplayName("GET /recommendations/{id} goes Redis → near; an evicted Redis key is served from Mongo, then near")
  void tiers(VertxTestContext ctx) {
    get(client, app, "/recommendations/11?algo=item&k=5")
        .compose(first -> {
          ctx.verify(() -> {
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.getHeader("X-Cache")).isEqualTo("redis");
            JsonObject b = body(first);
            assertThat(b.getString("source")).isEqualTo("redis");
            assertThat(b.getString("algo")).isEqualTo("item");
            assertThat(b.getLong("userId")).isEqualTo(11L);
            assertThat(b.getJsonArray("items")).hasSize(5);
            assertThat(b.getString("computedAt")).isNotBlank();
          });
          return get(client, app, "/recommendations/11?algo=item&k=5");
        })
        .compose(second -> {
          ctx.verify(() -> {
            assertThat(second.getHeader("X-Cache")).isEqualTo("near");
            assertThat(body(second).getString("source")).isEqualTo("near");
          });
          return app.app().services().redis().del(List.of(RecsKeys.algoKey(12, io.mlserve.recommend.algo.Algo.USER)));
        })
        .compose(v -> get(client, app, "/recommendations/12?algo=user"))
        .compose(third -> {
          ctx.verify(() -> {
            assertThat(third.getHeader("X-Cache")).isEqualTo("mongo");
            JsonObject b = body(third);
            assertThat(b.getJsonArray("items")).hasSize(10);
            assertThat(b.getString("algo")).isEqualTo("user");
            assertThat(b.getLong("userId")).isEqualTo(12L);
            assertThat(b.getString("computedAt")).isNotBlank();
            assertThat(b.getString("modelVersion")).isNotBlank();
          });
          return get(client, app, "/recommendations/12?algo=user&k=5");
        })
        .compose(fifth -> {
          // the miss's 10 items were kept at once (partial): k <= 10 is a near hit without waiting for the refill
          ctx.verify(() -> {
            assertThat(fifth.getHeader("X-Cache")).isEqualTo("near");
            assertThat(body(fifth).getJsonArray("items")).hasSize(5);
          });
          // the refill after the miss caches the whole document, so a larger k becomes a near hit too
          return RecsTestSupport.getUntilSource(vertx, client, app, "/recommendations/12?algo=user&k=40", "near",
              System.currentTimeMillis() + 5000);
        })
        .compose(fourth -> app.app().services().mongo().findOne(Collections.RECOMMENDATIONS,
                new JsonObject().put("userId", 12).put("algo", "user"), null)
            .map(stored -> {
              ctx.verify(() -> {
                assertThat(fourth.getHeader("X-Cache")).isEqualTo("near");
                JsonArray items = body(fourth).getJsonArray("items");
                int storedCount = stored.getJsonArray("items").size();
                assertThat(storedCount).isGreaterThan(10);
                assertThat(items).hasSize(Math.min(40, storedCount));
                assertThat(items.getJsonObject(items.size() - 1))
                    .isEqualTo(stored.getJsonArray("items").getJsonObject(items.size() - 1));
              });
              return stored;
            }))
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  @DisplayName("every key the batch wrote to Redis has a TTL of at most cache.ttlSeconds (none lives forever)")
  void redisKeysExpire(VertxTestContext ctx) {
    var redis = app.app().services().redis();
    scanAll(redis, "0", new java.util.ArrayList<>())
        .compose(keys -> {
          ctx.verify(() -> assertThat(keys).as("default + 4 algorithms per user, popular list")
              .hasSizeGreaterThanOrEqualTo(150 * 5));
          return redis.batch(keys.stream().map(k -> io.vertx.redis.client.Request.cmd(
              io.vertx.redis.client.Command.TTL).arg(k)).toList());
        })
        .onComplete(ctx.succeeding(ttls -> ctx.verify(() -> {
          assertThat(ttls).allSatisfy(t -> assertThat(t.toLong()).isBetween(1L, 900L));
          ctx.completeNow();
        })));
  }

  /** Every key under this app's prefix (raw keys, prefix included), through SCAN. */
  private static Future<List<String>> scanAll(io.mlserve.store.RedisStore redis, String cursor, List<String> out) {
    return redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCAN).arg(cursor)
            .arg("MATCH").arg(redis.prefix() + "*").arg("COUNT").arg(1000))
        .compose(r -> {
          r.get(1).forEach(k -> out.add(k.toString()));
          String next = r.get(0).toString();
          return "0".equals(next) ? Future.succeededFuture(out) : scanAll(redis, next, out);
        });
  }

  @Test
  @DisplayName("recommended items are never ones the user has, for every algorithm")
  void neverSeen(VertxTestContext ctx) {
    int user = 20;
    Future<List<JsonObject>> seen = app.app().services().mongo().find(Collections.INTERACTIONS,
        new JsonObject().put("userId", user));
    seen.compose(list -> {
      List<Long> mine = list.stream().map(d -> d.getLong("itemId")).toList();
      Future<Void> all = Future.succeededFuture();
      for (String algo : List.of("user", "item", "hybrid", "cluster")) {
        all = all.compose(v -> get(client, app, "/recommendations/" + user + "?algo=" + algo + "&k=100")
            .map(r -> {
              ctx.verify(() -> {
                JsonArray items = body(r).getJsonArray("items");
                assertThat(items).hasSize(100);
                for (int i = 0; i < items.size(); i++) {
                  assertThat(mine).doesNotContain(items.getJsonObject(i).getLong("itemId"));
                }
              });
              return null;
            }));
      }
      return all;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("unknown users get the popularity fallback (source fallback)")
  void fallback(VertxTestContext ctx) {
    get(client, app, "/recommendations/987654?k=3").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader("X-Cache")).isEqualTo("fallback");
      JsonObject b = body(r);
      assertThat(b.getString("source")).isEqualTo("fallback");
      assertThat(b.getString("algo")).isEqualTo("hybrid");
      assertThat(b.getJsonArray("items")).hasSize(3);
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("GET /recomendaciones?user_id=N answers like /recommendations/N")
  void legacyAlias(VertxTestContext ctx) {
    get(client, app, "/recommendations/30")
        .compose(a -> get(client, app, "/recomendaciones?user_id=30").map(b -> List.of(a, b)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both.get(1).statusCode()).isEqualTo(200);
          assertThat(body(both.get(1)).getJsonArray("items")).isEqualTo(body(both.get(0)).getJsonArray("items"));
          assertThat(body(both.get(1)).getLong("userId")).isEqualTo(30L);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("bad ids, k out of range and unknown algos are 400s that name the parameter")
  void badRequests(VertxTestContext ctx) {
    List<String[]> cases = List.of(
        new String[] {"/recommendations/abc", "userId"},
        new String[] {"/recommendations/0", "userId"},
        new String[] {"/recommendations/5?k=0", "k"},
        new String[] {"/recommendations/5?k=101", "k"},
        new String[] {"/recommendations/5?k=x", "k"},
        new String[] {"/recommendations/5?algo=svd", "algo"},
        new String[] {"/recomendaciones", "user_id"},
        new String[] {"/recomendaciones?user_id=-3", "user_id"});
    Future<Void> all = Future.succeededFuture();
    for (String[] c : cases) {
      all = all.compose(v -> get(client, app, c[0]).map(r -> {
        ctx.verify(() -> {
          assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
          JsonObject b = body(r);
          assertThat(b.getString("field")).as(c[0]).isEqualTo(c[1]);
          assertThat(b.getString("detail")).isNotBlank();
          if (c[1].equals("algo")) {
            assertThat(b.getString("detail")).contains("user", "item", "hybrid", "cluster");
          }
        });
        return null;
      }));
    }
    all.onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("/metrics has requests by algo and source, hit ratios per tier and the batch figures; openapi lists the routes")
  void metricsAndDocs(VertxTestContext ctx) {
    get(client, app, "/recommendations/40?algo=cluster")
        .compose(r -> get(client, app, "/recommendations/40?algo=cluster"))
        .compose(r -> get(client, app, "/metrics"))
        .compose(m -> {
          ctx.verify(() -> {
            String text = m.bodyAsString();
            assertThat(text).containsPattern("mlserve_recs_requests_total\\{algo=\"cluster\",source=\"near\"} [1-9]");
            assertThat(text).containsPattern("mlserve_recs_cache_hit_ratio\\{tier=\"near\"} [0-9.]+");
            assertThat(text).contains("mlserve_recs_cache_lookups_total{result=\"hit\",tier=\"redis\"}");
            assertThat(text).containsPattern("mlserve_recs_batch_users_per_second [1-9]");
            assertThat(text).contains("mlserve_recs_batch_duration_seconds_count 1");
          });
          return get(client, app, "/openapi.yaml");
        })
        .onComplete(ctx.succeeding(doc -> ctx.verify(() -> {
          assertThat(doc.bodyAsString()).contains("/interactions:", "/recommendations/compute:",
              "/recommendations/{userId}:", "/recomendaciones:");
          ctx.completeNow();
        })));
  }
}
