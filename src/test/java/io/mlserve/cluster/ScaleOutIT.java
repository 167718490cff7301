package io.mlserve.cluster;

import io.mlserve.bench.JvmProcess;
import io.mlserve.testing.ProcessGroup;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scale-out promise with real processes from the built jar on a clustered event bus: two api processes, a
 * recommender (which also hosts the embedded MongoDB) and an inference process. Recommendations computed through one
 * api are served by both; a user's new interactions reach the other api's near cache; predictions work through both;
 * killing the inference process turns /predict into a 503, restarting it brings 200 back.
 */
class ScaleOutIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String ROW = "{\"Elevation\": 2596, \"Aspect\": 51, \"Slope\": 3,"
      + " \"Horizontal_Distance_To_Hydrology\": 258, \"Vertical_Distance_To_Hydrology\": 0,"
      + " \"Horizontal_Distance_To_Roadways\": 510, \"Hillshade_9am\": 221, \"Hillshade_Noon\": 232,"
      + " \"Hillshade_3pm\": 148, \"Horizontal_Distance_To_Fire_Points\": 6279, \"Wilderness_Area\": \"Rawah\","
      + " \"Soil_Type\": \"C7745\"}";

  record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Answer call(int port, String method, String path, String body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(15));
      if (body != null) {
        b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (Exception e) {
      return new Answer(-1, e.toString());
    }
  }

  /** Repeats the call until the answer satisfies {@code ok}; returns the last answer. */
  static Answer await(int port, String method, String path, String body, Predicate<Answer> ok, long timeoutMs)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Answer last = call(port, method, path, body);
    while (!ok.test(last) && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      last = call(port, method, path, body);
    }
    return last;
  }

  static void awaitReady(JvmProcess p, int port) {
    assertThat(p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 120_000))
        .as("ready on %d; log:%n%s", port, p.logText()).isGreaterThanOrEqualTo(0);
  }

  static List<Integer> items(Answer a) {
    return a.json().getJsonArray("items").stream().map(o -> ((JsonObject) o).getInteger("itemId")).toList();
  }

  @Test
  @DisplayName("api x2 + recommender + inference in separate JVMs: recs and predictions through both apis, "
      + "near-cache invalidation across processes, 503 while inference is down, 200 after it returns")
  void scaleOut() throws Exception {
    try (ProcessGroup group = new ProcessGroup()) {
      Path models = group.dir().resolve("models").resolve("modelo1").resolve("1");
      Files.createDirectories(models);
      for (String f : List.of("model.onnx", "metadata.json")) {
        Files.copy(Path.of("models/modelo1/1").resolve(f), models.resolve(f));
      }
      int recPort = JvmProcess.freePort();
      int infPort = JvmProcess.freePort();
      int apiA = JvmProcess.freePort();
      int apiB = JvmProcess.freePort();
      JvmProcess rec = group.start("recommender", recPort, "recommender", Map.of());
      awaitReady(rec, recPort);
      JvmProcess inf = group.start("inference", infPort, "inference", Map.of());
      JvmProcess a = group.start("api-a", apiA, "api", Map.of());
      JvmProcess b = group.start("api-b", apiB, "api", Map.of());
      awaitReady(inf, infPort);
      awaitReady(a, apiA);
      awaitReady(b, apiB);

      // interactions through api A; the batch runs in the recommender process; its status is read through api B
      JsonArray interactions = new JsonArray();
      for (int u = 1; u <= 60; u++) {
        for (int i = 1; i <= 15; i++) {
          interactions.add(new JsonObject().put("userId", u).put("itemId", (u % 6) * 20 + (i * 7 + u) % 40 + 1)
              .put("rating", 1 + (u + i) % 5));
        }
      }
      assertThat(call(apiA, "POST", "/interactions", interactions.encode()).status()).isEqualTo(200);
      Answer started = call(apiA, "POST", "/recommendations/compute", "{\"algo\": \"all\"}");
      assertThat(started.status()).as(started.body()).isIn(200, 202);
      String jobId = started.json().getString("jobId");
      Answer job = await(apiB, "GET", "/jobs/" + jobId, null,
          r -> r.status() == 200 && !"RUNNING".equals(r.json().getString("state")), 60_000);
      assertThat(job.json().getString("state")).as(job.body()).isEqualTo("SUCCEEDED");

      Answer viaA = call(apiA, "GET", "/recommendations/5?algo=item&k=10", null);
      Answer viaB = call(apiB, "GET", "/recommendations/5?algo=item&k=10", null);
      assertThat(viaA.status()).isEqualTo(200);
      assertThat(viaB.status()).isEqualTo(200);
      assertThat(items(viaA)).isNotEmpty().isEqualTo(items(viaB));

      // api B caches user 7 in its near cache; new interactions posted through api A must reach it
      call(apiB, "GET", "/recommendations/7?algo=item&k=10", null);
      Answer cached = call(apiB, "GET", "/recommendations/7?algo=item&k=10", null);
      assertThat(cached.json().getString("source")).isEqualTo("near");
      int top = items(cached).get(0);
      assertThat(call(apiA, "POST", "/interactions",
          new JsonObject().put("userId", 7).put("itemId", top).put("rating", 5).encode()).status()).isEqualTo(200);
      Answer fresh = await(apiB, "GET", "/recommendations/7?algo=item&k=10", null,
          r -> r.status() == 200 && !items(r).contains(top), 5_000);
      assertThat(items(fresh)).as("api B after the interaction posted through api A").doesNotContain(top);

      // predictions through both api processes
      for (int port : List.of(apiA, apiB)) {
        Answer p = call(port, "POST", "/predict", ROW);
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        assertThat(p.json().getString("model")).isEqualTo("modelo1");
      }

      // inference dies: /predict answers 503 with a clear message (not a hang); it comes back with the process
      inf.process().destroyForcibly().waitFor();
      Answer down = await(apiA, "POST", "/predict", ROW, r -> r.status() == 503, 30_000);
      assertThat(down.status()).as(down.body()).isEqualTo(503);
      assertThat(down.json().getString("detail")).contains("inference.predict");
      JvmProcess inf2 = group.start("inference-2", infPort, "inference", Map.of());
      awaitReady(inf2, infPort);
      Answer back = await(apiB, "POST", "/predict", ROW, r -> r.status() == 200, 60_000);
      assertThat(back.status()).as(back.body()).isEqualTo(200);
      for (JvmProcess p : List.of(rec, a, b, inf2)) {
        assertThat(p.logText()).as("blocked threads in a process log").doesNotContain("has been blocked");
      }
    }
  }
}
