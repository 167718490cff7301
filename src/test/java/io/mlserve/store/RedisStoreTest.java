package io.mlserve.store;

import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class RedisStoreTest {

  private static RedisStore store(Vertx vertx, String url) {
    MlserveConfig cfg = ConfigLoader.load(null, Map.of(), new JsonObject().put("redis",
        new JsonObject().put("url", url).put("prefix", "test-" + UUID.randomUUID() + ":")));
    return new RedisStore(vertx, cfg.redis());
  }

  @Test
  @DisplayName("SETEX/GET/DEL go to prefixed keys with a TTL on the real Redis")
  void roundTrip(Vertx vertx, VertxTestContext ctx) {
    RedisStore redis = store(vertx, "redis://127.0.0.1:6379");
    redis.setex("k1", 60, "v1")
        .compose(v -> redis.get("k1"))
        .compose(v -> {
          ctx.verify(() -> assertThat(v).isEqualTo("v1"));
          return redis.send(Request.cmd(Command.TTL).arg(redis.key("k1")));
        })
        .compose(ttl -> {
          ctx.verify(() -> assertThat(ttl.toLong()).isBetween(1L, 60L));
          return redis.send(Request.cmd(Command.EXISTS).arg("k1")); // the unprefixed key is not ours
        })
        .compose(exists -> {
          ctx.verify(() -> assertThat(exists.toInteger()).isZero());
          return redis.del(List.of("k1"));
        })
        .compose(v -> redis.get("k1"))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(v).isNull();
          assertThat(redis.isUp()).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("deleteAllWithPrefix removes this prefix's keys only")
  void prefixCleanup(Vertx vertx, VertxTestContext ctx) {
    RedisStore mine = store(vertx, "redis://127.0.0.1:6379");
    RedisStore other = store(vertx, "redis://127.0.0.1:6379");
    mine.setex("a", 60, "1").compose(v -> mine.setex("b", 60, "2")).compose(v -> other.setex("a", 60, "x"))
        .compose(v -> mine.deleteAllWithPrefix())
        .compose(n -> {
          ctx.verify(() -> assertThat(n).isEqualTo(2));
          return other.get("a");
        })
        .compose(v -> {
          ctx.verify(() -> assertThat(v).isEqualTo("x"));
          return other.deleteAllWithPrefix();
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("an unreachable Redis fails fast and is reported down, without throwing")
  void unreachable(Vertx vertx, VertxTestContext ctx) {
    RedisStore redis = store(vertx, "redis://127.0.0.1:" + io.mlserve.bench.JvmProcess.freePort());
    long t0 = System.nanoTime();
    redis.get("x").onComplete(ctx.failing(t -> ctx.verify(() -> {
      assertThat(redis.isUp()).isFalse();
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
      ctx.completeNow();
    })));
  }
}
