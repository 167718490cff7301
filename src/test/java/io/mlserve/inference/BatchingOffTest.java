package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;

import static io.mlserve.inference.InferenceFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class BatchingOffTest {
  @TempDir
  Path models;

  @Test
  @DisplayName("inference.batching=false: concurrent single-row requests each get their own ORT run")
  void offSwitch(Vertx vertx) throws Exception {
    InferenceFixtures.write(models, "modelo1", 1, 3, 5);
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE), new JsonObject()
        .put("models", new JsonObject().put("dir", models.toString()))
        .put("inference", new JsonObject().put("batching", false)))) {
      WebClient c = WebClient.create(vertx);
      assertThat(InferenceFixtures.singles(c, app.port(), 200, 32)).hasSize(200).containsOnly(200);
      double[] runs = InferenceFixtures.batchSize(await(c.get(app.port(), "127.0.0.1", "/metrics").send())
          .bodyAsString());
      assertThat(runs[0]).isEqualTo(200);
      assertThat(runs[1]).isEqualTo(200);
    }
  }
}
