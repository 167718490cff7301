package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.EnumSet;

import static io.mlserve.inference.InferenceFixtures.EXAMPLE_ROW;
import static io.mlserve.inference.InferenceFixtures.assertPredicts;
import static io.mlserve.inference.InferenceFixtures.await;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/** Starting with no model at all, then the trainer's registry publishing one. */
@ExtendWith(VertxExtension.class)
class NoModelTest {

  @ParameterizedTest(name = "inference.inProcess={0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("no model: /predict is 503 saying what to run, ready is KO; a promoted model then serves at once")
  void noModelThenPromotion(boolean inProcess, Vertx vertx) throws Exception {
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE),
        new JsonObject().put("inference", new JsonObject().put("inProcess", inProcess)))) {
      WebClient c = WebClient.create(vertx);
      var predict = await(post(c, app.port(), "/predict", EXAMPLE_ROW));
      assertThat(predict.statusCode()).isEqualTo(503);
      JsonObject err = predict.bodyAsJsonObject();
      assertThat(err.getString("error")).isEqualTo("service unavailable");
      assertThat(err.getString("detail")).contains("no model is loaded").contains("no model named 'modelo1'")
          .contains("POST /pipeline/run").contains("POST /select-model");

      var ready = await(c.get(app.port(), "127.0.0.1", "/health/ready").send());
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonObject check = ready.bodyAsJsonObject().getJsonArray("checks").stream().map(o -> (JsonObject) o)
          .filter(o -> o.getString("id").equals("inference")).findFirst().orElseThrow();
      assertThat(check.getString("status")).isEqualTo("DOWN");
      assertThat(check.getJsonObject("data").getString("error")).contains("no model is loaded");

      JsonObject models = await(c.get(app.port(), "127.0.0.1", "/models").send()).bodyAsJsonObject();
      assertThat(models.getJsonArray("models")).isEmpty();
      assertThat(models.getJsonObject("selected").getBoolean("loaded")).isFalse();
      assertThat(models.getString("problem")).contains("no model is loaded");

      // the trainer's path: register a version and promote it (publishes models.changed)
      ModelRegistry registry = new ModelRegistry(app.app().vertx(), app.app().services().mongo(),
          app.app().services().config().models().dir());
      TestModels.Model v1 = TestModels.randomForest("modelo1", 7, 9);
      await(registry.register(v1.metadata(), v1.onnx()));
      await(registry.promote("modelo1", 1));
      JsonObject answer = awaitVersion(c, app.port(), 1);
      assertPredicts(v1, EXAMPLE_ROW, answer.getJsonArray("predictions").getJsonObject(0));
      assertThat(await(c.get(app.port(), "127.0.0.1", "/health/ready").send()).statusCode()).isEqualTo(200);

      // a newer production version replaces it, since the selection follows production
      TestModels.Model v2 = TestModels.randomForest("modelo1", 8, 9);
      await(registry.register(v2.metadata(), v2.onnx()));
      await(registry.promote("modelo1", 2));
      assertPredicts(v2, EXAMPLE_ROW, awaitVersion(c, app.port(), 2).getJsonArray("predictions").getJsonObject(0));
    }
  }

  private static JsonObject awaitVersion(WebClient c, int port, int version) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      var r = await(post(c, port, "/predict", EXAMPLE_ROW));
      if (r.statusCode() == 200 && r.bodyAsJsonObject().getInteger("version") == version) {
        return r.bodyAsJsonObject();
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("version " + version + " never served; last answer " + r.statusCode() + " "
            + r.bodyAsString());
      }
      Thread.sleep(20);
    }
  }
}
