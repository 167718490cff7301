package io.mlserve.bus;

import io.mlserve.common.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class BusTest {

  @Test
  @DisplayName("no consumer → 503 naming the address; a silent consumer → 504 after the timeout")
  void unavailableAndTimeout(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint(2);
    Bus.request(vertx, "nobody.home", new JsonObject(), 1000).onComplete(ctx.failing(t -> ctx.verify(() -> {
      ApiError e = (ApiError) t;
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.toJson().getString("address")).isEqualTo("nobody.home");
      done.flag();
    })));
    vertx.eventBus().consumer("sleepy", msg -> { /* never replies */ });
    long t0 = System.currentTimeMillis();
    Bus.request(vertx, "sleepy", new JsonObject(), 200).onComplete(ctx.failing(t -> ctx.verify(() -> {
      assertThat(((ApiError) t).status()).isEqualTo(504);
      assertThat(System.currentTimeMillis() - t0).isBetween(150L, 3000L);
      done.flag();
    })));
  }

  @Test
  @DisplayName("a consumer's ApiError crosses the bus with its status and JSON body intact")
  void apiErrorRoundTrip(Vertx vertx, VertxTestContext ctx) {
    Bus.consume(vertx, "validate", body -> Future.failedFuture(
        ApiError.unprocessable("Slope", "must be 0-90").with("index", 3)));
    Bus.request(vertx, "validate", new JsonObject(), 10_000).onComplete(ctx.failing(t -> ctx.verify(() -> {
      ApiError e = (ApiError) t;
      assertThat(e.status()).isEqualTo(422);
      assertThat(e.toJson()).isEqualTo(new JsonObject().put("error", "validation failed")
          .put("detail", "must be 0-90").put("field", "Slope").put("index", 3));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("an unexpected exception becomes a 500 without internals; a success replies the JSON")
  void bugsAndSuccess(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint(2);
    Bus.consume(vertx, "buggy", body -> {
      throw new IllegalStateException("secret internals");
    });
    Bus.consume(vertx, "echo", body -> {
      Promise<JsonObject> p = Promise.promise();
      vertx.setTimer(5, id -> p.complete(body.copy().put("echoed", true)));
      return p.future();
    });
    Bus.request(vertx, "buggy", new JsonObject(), 10_000).onComplete(ctx.failing(t -> ctx.verify(() -> {
      ApiError e = (ApiError) t;
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.toJson().encode()).doesNotContain("secret");
      done.flag();
    })));
    Bus.request(vertx, "echo", new JsonObject().put("a", 1), 10_000).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r).isEqualTo(new JsonObject().put("a", 1).put("echoed", true));
      done.flag();
    })));
  }
}
