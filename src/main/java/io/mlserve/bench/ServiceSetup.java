package io.mlserve.bench;

import io.mlserve.recommend.data.RatingsBuffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the process benchmarks do to a freshly started service before measuring it, and read from it after. */
public final class ServiceSetup {
  private ServiceSetup() {
  }

  /** The shipped bootstrap model ({@code models/modelo1/1}) into another models directory. */
  static void copyShippedModel(Path models) throws Exception {
    Path target = Files.createDirectories(models.resolve("modelo1").resolve("1"));
    for (String f : List.of("model.onnx", "metadata.json")) {
      Files.copy(Path.of("models", "modelo1", "1", f), target.resolve(f));
    }
  }

  /** The ratings through {@code POST /interactions}, then one batch of every algorithm, waited for. */
  static void loadRecommendations(HttpClient http, int port, RatingsBuffer r) throws Exception {
    for (int start = 0; start < r.size(); start += 10_000) {
      JsonArray chunk = new JsonArray();
      for (int i = start; i < Math.min(r.size(), start + 10_000); i++) {
        chunk.add(new JsonObject().put("userId", r.user(i)).put("itemId", r.item(i)).put("rating", r.rating(i)));
      }
      send(http, port, "POST", "/interactions", chunk.encode());
    }
    String jobId = new JsonObject(send(http, port, "POST", "/recommendations/compute", "{\"algo\":\"all\"}"))
        .getString("jobId");
    long deadline = System.currentTimeMillis() + 600_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject job = new JsonObject(send(http, port, "GET", "/jobs/" + jobId, null));
      if (!"RUNNING".equals(job.getString("state"))) {
        if (!"SUCCEEDED".equals(job.getString("state"))) {
          throw new IllegalStateException("recommendation batch failed: " + job.encode());
        }
        return;
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException("recommendation batch did not finish in 10 minutes");
  }

  /** One request to the service on loopback; an answer of 300 or more is an exception naming it. */
  static String send(HttpClient http, int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(120));
    if (body != null) {
      rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** Heap in use, in MB, from a service's Prometheus text ({@code jvm_memory_used_bytes} over the heap pools). */
  public static double heapUsedMb(String prometheusText) {
    double sum = 0;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum / (1024 * 1024);
  }
}
