package io.mlserve.reliability;

import io.mlserve.app.Role;
import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.mlserve.bench.load.Scenarios;
import io.mlserve.recommend.RecsTestSupport;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.recommend.serving.RecsKeys;
import io.mlserve.testing.RedisServer;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mlserve.recommend.RecsTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, fault "Redis stopped during a load of recommendation GETs": a Redis of the test's own is killed while
 * a closed-loop load reads recommendations, and restarted. Nothing fails (MongoDB and the near cache answer),
 * readiness reports Redis down meanwhile, comes back within 5 s of the restart, and reads refill Redis.
 */
@ExtendWith(VertxExtension.class)
class RedisOutageUnderLoadTest {
  private static final int USERS = 200;
  /** The load reads users 1..150; users above are left alone, so the refill check below sees only its own reads. */
  private static final int LOAD_USERS = 150;
  private static final int NEAR_TTL_MS = 300;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("Redis killed mid-load: 0 failed GETs, ready 503 naming redis, ready again < 5 s after restart, Redis refilled")
  void redisStoppedDuringLoad(Vertx vertx) throws Exception {
    Assumptions.assumeTrue(RedisServer.available(), "needs /usr/bin/redis-server");
    try (RedisServer redis = RedisServer.startNew();
         TestApp app = TestApp.start(EnumSet.of(Role.API, Role.RECOMMENDER), new JsonObject()
             .put("redis", new JsonObject().put("url", redis.url()).put("connectTimeoutMs", 200)
                 .put("commandTimeoutMs", 300))
             .put("cache", new JsonObject().put("nearTtlMs", NEAR_TTL_MS)));
         LoadGenerator load = new LoadGenerator(1)) {
      baseUrl = app.url("");
      WebClient client = WebClient.create(vertx);
      await(RecsTestSupport.loadAndSettle(vertx, client, app, SyntheticRatings.generate(USERS, 150, 4000, 8)));
      JsonObject job = await(RecsTestSupport.compute(vertx, client, app, "all"));
      assertThat(job.getString("state")).as("compute job %s", job.encode()).isEqualTo("SUCCEEDED");
      assertThat(job.getJsonObject("result").getLong("redisFailures", 0L)).isZero();
      assertThat(status("/health/ready")).isEqualTo(200);

      // 8 closed-loop users on 8 keep-alive connections for 15 s: the outage sits in the middle of it
      CompletableFuture<LoadResult> running = CompletableFuture.supplyAsync(() -> {
        try {
          return load.run("127.0.0.1", app.port(), 8, 8, Duration.ZERO, Duration.ofSeconds(15),
              Scenarios.recommendations(LOAD_USERS));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });

      Thread.sleep(4000);
      redis.stop();
      long stoppedAt = System.nanoTime();
      // readiness notices within one health-check round (ping: connection refused, or the 300 ms command timeout)
      HttpResponse<String> down = awaitReady(503, 5000);
      double noticedS = (System.nanoTime() - stoppedAt) / 1e9;
      assertThat(down.statusCode()).as("ready while Redis is down: %s", down.body()).isEqualTo(503);
      JsonObject redisCheck = check(new JsonObject(down.body()), "redis");
      assertThat(redisCheck.getString("status")).isEqualTo("DOWN");
      assertThat(redisCheck.getJsonObject("data").getBoolean("reachable")).isFalse();
      // a read while Redis is down: MongoDB (or the near cache) answers
      HttpResponse<String> during = get("/recommendations/" + (LOAD_USERS + 1) + "?algo=item");
      assertThat(during.statusCode()).isEqualTo(200);
      assertThat(during.headers().firstValue("X-Cache")).hasValueSatisfying(v -> assertThat(v).isIn("mongo", "near"));

      Thread.sleep(Math.max(0, 4000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt)));
      redis.start();
      long restartedAt = System.nanoTime();
      HttpResponse<String> up = awaitReady(200, 5000);
      double recoveryS = (System.nanoTime() - restartedAt) / 1e9;
      assertThat(up.statusCode()).as("ready within 5 s of the restart: %s", up.body()).isEqualTo(200);

      // the restarted Redis is empty; a MongoDB hit writes the document back, so the next read past the near TTL
      // is a Redis hit
      String user = String.valueOf(LOAD_USERS + 2);
      HttpResponse<String> first = get("/recommendations/" + user + "?algo=user");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("X-Cache")).hasValue("mongo");
      String key = app.app().services().redis().key(RecsKeys.algoKey(Long.parseLong(user),
          io.mlserve.recommend.algo.Algo.USER));
      awaitTrue(() -> "1".equals(redis.command("EXISTS " + key).replace(":", "")), 2000);
      Thread.sleep(NEAR_TTL_MS + 100);
      HttpResponse<String> second = get("/recommendations/" + user + "?algo=user");
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(second.headers().firstValue("X-Cache")).hasValue("redis");
      assertThat(new JsonObject(second.body()).getJsonArray("items"))
          .isEqualTo(new JsonObject(first.body()).getJsonArray("items"));

      LoadResult result = running.get(60, TimeUnit.SECONDS);
      // the load's own reads refilled Redis too
      long dbsize = Long.parseLong(redis.command("DBSIZE").substring(1));
      System.out.printf("redis outage: %s  noticed %.2f s after the stop, ready %.2f s after the restart, "
          + "restarted Redis holds %d keys%n", result.summary("load"), noticedS, recoveryS, dbsize);
      assertThat(result.requests()).as("load ran").isGreaterThan(200); // ~26 req/s at load average 17, thousands alone
      Map<Integer, Long> statuses = new java.util.TreeMap<>();
      result.series().values().forEach(s -> s.statusCounts().forEach((k, v) -> statuses.merge(k, v, Long::sum)));
      assertThat(statuses).as("statuses (-1 = transport failure)").containsOnlyKeys(200);
      assertThat(result.errors()).isZero();
      assertThat(dbsize).as("keys refilled by reads after the restart").isGreaterThan(LOAD_USERS / 2);
    }
  }

  private static JsonObject check(JsonObject health, String id) {
    JsonArray checks = health.getJsonArray("checks", new JsonArray());
    for (int i = 0; i < checks.size(); i++) {
      if (id.equals(checks.getJsonObject(i).getString("id"))) {
        return checks.getJsonObject(i);
      }
    }
    throw new AssertionError("no check '" + id + "' in " + health.encode());
  }

  private HttpResponse<String> awaitReady(int wanted, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    HttpResponse<String> last;
    do {
      last = get("/health/ready");
      if (last.statusCode() == wanted) {
        return last;
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    return last;
  }

  private static void awaitTrue(java.util.function.BooleanSupplier c, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!c.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within " + timeoutMs + " ms");
      }
      Thread.sleep(20);
    }
  }

  private String baseUrl;

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int status(String path) throws Exception {
    return get(path).statusCode();
  }
}
