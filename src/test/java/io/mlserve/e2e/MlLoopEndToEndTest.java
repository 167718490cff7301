package io.mlserve.e2e;

import io.mlserve.app.Role;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole tabular loop in one process with every role, as a user runs it: one pipeline run feeds the Covertype
 * rows, trains, tunes and promotes; inference then serves the new version without a restart.
 */
class MlLoopEndToEndTest {

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("POST /pipeline/run: clear, load, train, tune → a new production model that /predict serves")
  void pipelineToPrediction() throws Exception {
    JsonObject conf = TestApp.withShippedModel(new JsonObject()
        .put("feed", new JsonObject().put("batches", 4).put("intervalMs", 0).put("syntheticRows", 2000))
        .put("pipeline", new JsonObject().put("pollMs", 100))
        .put("train", new JsonObject().put("promoteOnlyIfBetter", false)
            .put("defaults", new JsonObject().put("trees", 10).put("maxDepth", 8))
            .put("search", new JsonObject().put("budget", 2).put("trees", new JsonArray().add(5).add(10))
                .put("maxDepth", new JsonArray().add(6).add(8)))));
    try (TestApp app = TestApp.start(EnumSet.allOf(Role.class), conf)) {
      WebClient client = WebClient.create(app.app().vertx());
      var before = await(client.post(app.port(), "127.0.0.1", "/predict")
          .sendJsonObject(row()));
      assertThat(before.statusCode()).as(before.bodyAsString()).isEqualTo(200);
      assertThat(before.bodyAsJsonObject().getInteger("version")).isEqualTo(1);

      var started = await(client.post(app.port(), "127.0.0.1", "/pipeline/run").sendJsonObject(new JsonObject()));
      assertThat(started.statusCode()).as(started.bodyAsString()).isBetween(200, 202);
      String runId = started.bodyAsJsonObject().getString("runId", started.bodyAsJsonObject().getString("jobId"));
      JsonObject end = await(app.app().services().jobs().awaitFinished(runId, 200));
      assertThat(end.getString("state")).as(end.encodePrettily()).isEqualTo("SUCCEEDED");

      var run = await(client.get(app.port(), "127.0.0.1", "/pipeline/runs/" + runId).send()).bodyAsJsonObject();
      assertThat(run.encode()).contains("clear", "load", "train", "tune");
      long rows = await(app.app().services().mongo().count(Collections.COVERTYPE, new JsonObject()));
      assertThat(rows).isEqualTo(2000);
      var experiments = await(client.get(app.port(), "127.0.0.1", "/experiments").send()).bodyAsJsonObject();
      assertThat(experiments.getJsonArray("experiments")).hasSizeGreaterThanOrEqualTo(3); // 1 train + 2 tune

      var models = await(client.get(app.port(), "127.0.0.1", "/models").send()).bodyAsJsonObject();
      assertThat(models.encode()).contains("modelo1");
      // the promoted version reaches inference through models.changed; poll until it serves
      int served = 1;
      long deadline = System.currentTimeMillis() + 30_000;
      while (served < 2 && System.currentTimeMillis() < deadline) {
        var r = await(client.post(app.port(), "127.0.0.1", "/predict").sendJsonObject(row()));
        assertThat(r.statusCode()).isEqualTo(200);
        served = r.bodyAsJsonObject().getInteger("version");
        Thread.sleep(100);
      }
      assertThat(served).as("version serving after promotion").isGreaterThanOrEqualTo(2);
    }
  }

  private static JsonObject row() {
    return new JsonObject().put("Elevation", 2596).put("Aspect", 51).put("Slope", 3)
        .put("Horizontal_Distance_To_Hydrology", 258).put("Vertical_Distance_To_Hydrology", 0)
        .put("Horizontal_Distance_To_Roadways", 510).put("Hillshade_9am", 221).put("Hillshade_Noon", 232)
        .put("Hillshade_3pm", 148).put("Horizontal_Distance_To_Fire_Points", 6279)
        .put("Wilderness_Area", "Rawah").put("Soil_Type", "C7745");
  }
}
