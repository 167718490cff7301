package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.mlserve.inference.InferenceFixtures.assertPredicts;
import static io.mlserve.inference.InferenceFixtures.await;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inference.inProcess}: with the api and inference roles in one process, predictions for the selected model
 * reach the engine without an event-bus message; {@code ?model=} overrides and the switched-off setting still use
 * the bus. Either way the answers are the model's own.
 */
@ExtendWith(VertxExtension.class)
class InProcessPathTest {
  @TempDir
  Path models;

  @ParameterizedTest(name = "inProcess={0}, batching={1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  @DisplayName("selected-model predictions skip the bus only when inference.inProcess is on; overrides always use it")
  void path(boolean inProcess, boolean batching, Vertx vertx) throws Exception {
    TestModels.Model model = InferenceFixtures.write(models, "modelo1", 1, 3, 5);
    InferenceFixtures.write(models, "other", 1, 4, 5);
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE), new JsonObject()
        .put("models", new JsonObject().put("dir", models.toString()))
        .put("inference", new JsonObject().put("inProcess", inProcess).put("batching", batching)))) {
      Queue<String> sent = new ConcurrentLinkedQueue<>();
      app.app().vertx().eventBus().addOutboundInterceptor(dc -> {
        if (dc.message().address().startsWith(InferenceVerticle.PREDICT)) {
          sent.add(dc.message().address());
        }
        dc.next();
      });
      WebClient c = WebClient.create(vertx);
      assertThat(InferenceFixtures.singles(c, app.port(), 99, 16)).hasSize(99).containsOnly(200);
      var single = await(post(c, app.port(), "/predict", InferenceFixtures.EXAMPLE_ROW));
      assertThat(single.statusCode()).as(single.bodyAsString()).isEqualTo(200);
      assertPredicts(model, InferenceFixtures.EXAMPLE_ROW, single.bodyAsJsonObject().getJsonArray("predictions")
          .getJsonObject(0));
      List<Map<String, Object>> rows = PredictApiTest.features(new CovertypeGenerator(5).rows(300));
      var array = await(post(c, app.port(), "/predict", new JsonArray(new ArrayList<>(rows))));
      assertThat(array.statusCode()).as(array.bodyAsString()).isEqualTo(200);
      JsonArray predictions = array.bodyAsJsonObject().getJsonArray("predictions");
      for (int i = 0; i < rows.size(); i++) {
        assertPredicts(model, rows.get(i), predictions.getJsonObject(i));
      }
      int viaBus = sent.size();
      if (inProcess) {
        assertThat(viaBus).as("bus messages for the selected model").isZero();
      } else { // batching coalesces some of the single rows into one message
        assertThat(viaBus).as("bus messages for the selected model").isBetween(batching ? 2 : 101, 101);
      }

      var override = await(post(c, app.port(), "/predict?model=other", InferenceFixtures.EXAMPLE_ROW));
      assertThat(override.statusCode()).as(override.bodyAsString()).isEqualTo(200);
      assertThat(override.bodyAsJsonObject().getString("model")).isEqualTo("other");
      assertThat(sent).as("bus messages after one override").hasSize(viaBus + 1);
    }
  }
}
