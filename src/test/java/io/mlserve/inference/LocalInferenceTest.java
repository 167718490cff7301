package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.vertx.core.Future;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class LocalInferenceTest {
  @Test
  @DisplayName("in-process failures read as over the bus: an ApiError keeps its status, anything else is a 500 "
      + "without internals")
  void mapsFailures(VertxTestContext test) {
    ApiError unprocessable = ApiError.unprocessable("Slope", "Slope must be within 0-90");
    Future<String> kept = LocalInference.asApiFailure(Future.failedFuture(unprocessable));
    Future<String> hidden = LocalInference.asApiFailure(Future.failedFuture(new IllegalStateException("secret")));
    Future<String> ok = LocalInference.asApiFailure(Future.succeededFuture("answer"));
    Future.join(kept, hidden, ok).onComplete(ar -> test.verify(() -> {
      assertThat(kept.cause()).isSameAs(unprocessable);
      assertThat(hidden.cause()).isInstanceOf(ApiError.class);
      assertThat(((ApiError) hidden.cause()).status()).isEqualTo(500);
      assertThat(hidden.cause().getMessage()).doesNotContain("secret");
      assertThat(ok.result()).isEqualTo("answer");
      test.completeNow();
    }));
  }
}
