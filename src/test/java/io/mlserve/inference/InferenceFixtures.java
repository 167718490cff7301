package io.mlserve.inference;

import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.testing.TestModels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Model files on disk (as the bootstrap model ships) and HTTP helpers for the inference tests. */
public final class InferenceFixtures {
  public static final Map<String, Object> EXAMPLE_ROW = Map.ofEntries(
      Map.entry("Elevation", 2596), Map.entry("Aspect", 51), Map.entry("Slope", 3),
      Map.entry("Horizontal_Distance_To_Hydrology", 258), Map.entry("Vertical_Distance_To_Hydrology", 0),
      Map.entry("Horizontal_Distance_To_Roadways", 510), Map.entry("Hillshade_9am", 221),
      Map.entry("Hillshade_Noon", 232), Map.entry("Hillshade_3pm", 148),
      Map.entry("Horizontal_Distance_To_Fire_Points", 6279), Map.entry("Wilderness_Area", "Rawah"),
      Map.entry("Soil_Type", "C7745"));

  private InferenceFixtures() {
  }

  /** Writes a fixture forest as {@code modelsDir/name/version/} (model.onnx + metadata.json), like a shipped model. */
  public static TestModels.Model write(Path modelsDir, String name, int version, long seed, int trees)
      throws IOException {
    TestModels.Model m = TestModels.randomForest(name, seed, trees);
    Path dir = modelsDir.resolve(name).resolve(Integer.toString(version));
    Files.createDirectories(dir);
    Files.write(dir.resolve(ModelRegistry.MODEL_FILE), m.onnx());
    Files.writeString(dir.resolve(ModelRegistry.METADATA_FILE), m.metadata().withVersion(version).toJson()
        .encodePrettily());
    return m;
  }

  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public static Future<HttpResponse<Buffer>> post(WebClient c, int port, String uri, Object body) {
    Buffer b = body instanceof Buffer buf ? buf : Buffer.buffer(io.vertx.core.json.Json.encode(body));
    return c.post(port, "127.0.0.1", uri).putHeader("Content-Type", "application/json").sendBuffer(b);
  }

  public static WebClient client(Vertx vertx) {
    return WebClient.create(vertx);
  }

  /** Asserts that {@code prediction} is what the fixture forest computes for {@code row}. */
  public static void assertPredicts(TestModels.Model model, Map<String, Object> row, JsonObject prediction) {
    float[] x = FeatureEncoding.covertypeOneHot().encode(row);
    float[] expected = model.forest().predictProba(x);
    JsonObject probs = prediction.getJsonObject("probabilities");
    assertThat(probs.fieldNames()).containsExactly("1", "2", "3", "4", "5", "6", "7");
    for (int c = 0; c < expected.length; c++) {
      assertThat(probs.getDouble(Integer.toString(c + 1))).isCloseTo(expected[c], within(1e-5));
    }
    float[] sorted = expected.clone();
    java.util.Arrays.sort(sorted);
    if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 1e-5) { // ties may break either way
      assertThat(prediction.getLong("Cover_Type")).isEqualTo(model.forest().predict(x));
    }
  }

  /** A fixture model whose Soil_Type list lacks C7745 (the schema allows it; this model was trained without it). */
  public static void writeNarrow(Path modelsDir, String name) throws IOException {
    TestModels.Model m = TestModels.randomForest(name, 44, 5);
    JsonObject meta = m.metadata().withVersion(1).toJson();
    var features = meta.getJsonArray("features");
    JsonObject soil = features.getJsonObject(features.size() - 1);
    java.util.List<Object> cats = new java.util.ArrayList<>(soil.getJsonArray("categories").getList());
    cats.set(cats.indexOf("C7745"), "C0000");
    soil.put("categories", new io.vertx.core.json.JsonArray(cats));
    Path dir = modelsDir.resolve(name).resolve("1");
    Files.createDirectories(dir);
    Files.write(dir.resolve(ModelRegistry.MODEL_FILE), m.onnx());
    Files.writeString(dir.resolve(ModelRegistry.METADATA_FILE), meta.encodePrettily());
  }

  /** Sum and count of {@code mlserve_batch_size} from a Prometheus scrape: rows run and ORT runs so far. */
  public static double[] batchSize(String scrape) {
    double sum = 0;
    double count = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith("mlserve_batch_size_sum")) {
        sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } else if (line.startsWith("mlserve_batch_size_count")) {
        count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return new double[] {sum, count};
  }

  /** Sends {@code n} single-row requests, {@code concurrency} at a time; returns the statuses seen. */
  public static java.util.List<Integer> singles(WebClient c, int port, int n, int concurrency) throws Exception {
    java.util.List<Integer> statuses = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<Future<Void>> lanes = new java.util.ArrayList<>();
    for (int l = 0; l < concurrency; l++) {
      lanes.add(lane(c, port, n, next, statuses));
    }
    await(Future.all(lanes));
    return statuses;
  }

  private static Future<Void> lane(WebClient c, int port, int n, java.util.concurrent.atomic.AtomicInteger next,
                                   java.util.List<Integer> statuses) {
    if (next.getAndIncrement() >= n) {
      return Future.succeededFuture();
    }
    return post(c, port, "/predict", EXAMPLE_ROW).compose(r -> {
      statuses.add(r.statusCode());
      return lane(c, port, n, next, statuses);
    });
  }
}
