package io.mlserve.deploy;

import io.mlserve.app.Role;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric the Grafana dashboard queries must be served by a running mlserve: the app runs every role, does a
 * little of everything (interactions, a recommendation batch, cached reads, predictions, a feed load and a training
 * run), then its /metrics is scraped and compared with the names in the dashboard's PromQL.
 */
class DashboardMetricsTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:mlserve|vertx|jvm)_[a-zA-Z0-9_]+)\\s*[{\\[)]");

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  static Set<String> dashboardMetrics() throws Exception {
    JsonObject dash = new JsonObject(Files.readString(Path.of("compose/grafana/dashboards/mlserve.json")));
    Set<String> names = new TreeSet<>();
    for (Object p : dash.getJsonArray("panels")) {
      for (Object t : ((JsonObject) p).getJsonArray("targets")) {
        Matcher m = METRIC.matcher(((JsonObject) t).getString("expr"));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  @Test
  @DisplayName("every metric name in the Grafana dashboard's queries appears in a running instance's /metrics")
  void dashboardQueriesExistingMetrics() throws Exception {
    Set<String> wanted = dashboardMetrics();
    assertThat(wanted).hasSizeGreaterThan(15);
    JsonObject conf = TestApp.withShippedModel(new JsonObject()
        .put("feed", new JsonObject().put("batches", 2).put("intervalMs", 0).put("syntheticRows", 600))
        .put("train", new JsonObject().put("defaults", new JsonObject().put("trees", 5).put("maxDepth", 6))));
    try (TestApp app = TestApp.start(java.util.EnumSet.allOf(Role.class), conf)) {
      WebClient c = WebClient.create(app.app().vertx());
      JsonArray interactions = new JsonArray();
      for (int u = 1; u <= 30; u++) {
        for (int i = 1; i <= 12; i++) {
          interactions.add(new JsonObject().put("userId", u).put("itemId", (u * 7 + i * 3) % 60 + 1)
              .put("rating", 1 + (u + i) % 5));
        }
      }
      assertThat(await(c.post(app.port(), "127.0.0.1", "/interactions").sendJson(interactions)).statusCode())
          .isEqualTo(200);
      String jobId = await(c.post(app.port(), "127.0.0.1", "/recommendations/compute")
          .sendJsonObject(new JsonObject().put("algo", "all"))).bodyAsJsonObject().getString("jobId");
      assertThat(await(app.app().services().jobs().awaitFinished(jobId, 100)).getString("state"))
          .isEqualTo("SUCCEEDED");
      for (int round = 0; round < 2; round++) {
        for (int u = 1; u <= 5; u++) {
          await(c.get(app.port(), "127.0.0.1", "/recommendations/" + u + "?algo=item").send());
        }
      }
      var predict = await(c.post(app.port(), "127.0.0.1", "/predict").sendJsonObject(new JsonObject()
          .put("Elevation", 2596).put("Aspect", 51).put("Slope", 3).put("Horizontal_Distance_To_Hydrology", 258)
          .put("Vertical_Distance_To_Hydrology", 0).put("Horizontal_Distance_To_Roadways", 510)
          .put("Hillshade_9am", 221).put("Hillshade_Noon", 232).put("Hillshade_3pm", 148)
          .put("Horizontal_Distance_To_Fire_Points", 6279).put("Wilderness_Area", "Rawah")
          .put("Soil_Type", "C7745")));
      assertThat(predict.statusCode()).isEqualTo(200);
      String runId = await(c.post(app.port(), "127.0.0.1", "/pipeline/run")
          .sendJsonObject(new JsonObject().put("steps", new JsonArray().add("clear").add("load").add("train"))))
          .bodyAsJsonObject().getString("runId");
      assertThat(await(app.app().services().jobs().awaitFinished(runId, 100)).getString("state"))
          .isEqualTo("SUCCEEDED");

      // jvm_gc_pause_seconds appears with the first collection; a test JVM with a large heap may not have had one,
      // and the collection's notification reaches Micrometer asynchronously, so scrape until it is there (10 s)
      System.gc();
      Set<String> served = new TreeSet<>();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (true) {
        served.clear();
        String metrics = await(c.get(app.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
        for (String line : metrics.split("\n")) {
          if (!line.startsWith("#") && !line.isBlank()) {
            served.add(line.split("[{ ]", 2)[0]);
          }
        }
        if (served.containsAll(wanted) || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(served).as("metrics the dashboard queries").containsAll(wanted);
    }
  }
}
