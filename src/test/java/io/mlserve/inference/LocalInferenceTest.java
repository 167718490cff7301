package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class LocalInferenceTest {
  @Test
  @DisplayName("an in-process answer that does not come within the bus timeout is a 504, like over the bus")
  void timesOutAs504(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> LocalInference.bounded(Promise.<String>promise().future(), 50)
        .onComplete(test.failing(t -> test.verify(() -> {
          assertThat(t).isInstanceOf(ApiError.class);
          assertThat(((ApiError) t).status()).isEqualTo(504);
          assertThat(t.getMessage()).contains("50 ms");
          test.completeNow();
        }))));
  }

  @Test
  @DisplayName("an ApiError keeps its status; any other failure becomes a 500 without internals")
  void mapsFailures(Vertx vertx, VertxTestContext test) {
    ApiError unprocessable = ApiError.unprocessable("Slope", "Slope must be within 0-90");
    Future<String> kept = LocalInference.bounded(Future.failedFuture(unprocessable), 1000);
    Future<String> hidden = LocalInference.bounded(Future.failedFuture(new IllegalStateException("secret")), 1000);
    Future.join(kept, hidden).onComplete(ar -> test.verify(() -> {
      assertThat(kept.cause()).isSameAs(unprocessable);
      assertThat(((ApiError) hidden.cause()).status()).isEqualTo(500);
      assertThat(hidden.cause().getMessage()).doesNotContain("secret");
      test.completeNow();
    }));
  }
}
