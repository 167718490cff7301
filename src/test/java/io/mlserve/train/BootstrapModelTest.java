package io.mlserve.train;

import io.mlserve.app.Role;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped bootstrap model {@code models/modelo1/1} and the command that makes such models. */
class BootstrapModelTest {
  private static final Path SHIPPED = Path.of("models", "modelo1", "1");

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Accuracy of an ONNX model (through ONNX Runtime) on fresh synthetic rows of another seed. */
  private static double accuracyOnSynthetic(Path dir, int rows) throws Exception {
    ModelMetadata meta = ModelMetadata.parse(new JsonObject(Files.readString(dir.resolve("metadata.json"))));
    List<Map<String, Object>> data = new CovertypeGenerator(2024).rows(rows);
    int w = meta.encoding().width();
    float[] x = new float[rows * w];
    for (int i = 0; i < rows; i++) {
      meta.encoding().encode(data.get(i), x, i * w);
    }
    try (OnnxScorer ort = new OnnxScorer(Files.readAllBytes(dir.resolve("model.onnx")), meta)) {
      long[] labels = ort.predictLabels(x, rows);
      int correct = 0;
      for (int i = 0; i < rows; i++) {
        correct += labels[i] == ((Number) data.get(i).get("Cover_Type")).longValue() ? 1 : 0;
      }
      return (double) correct / rows;
    }
  }

  @Test
  @DisplayName("the shipped bootstrap model is small, valid, made by our trainer and predicts synthetic rows well")
  void shipped() throws Exception {
    assertThat(Files.size(SHIPPED.resolve("model.onnx"))).isLessThan(2L << 20);
    ModelMetadata meta = ModelMetadata.parse(new JsonObject(Files.readString(SHIPPED.resolve("metadata.json"))));
    assertThat(meta.name()).isEqualTo("modelo1");
    assertThat(meta.version()).isEqualTo(1);
    assertThat(meta.toJson().getString("framework")).isEqualTo(ModelPackage.FRAMEWORK);
    assertThat(meta.toJson().getJsonObject("data").getString("source")).contains("synthetic");
    assertThat(accuracyOnSynthetic(SHIPPED, 2000)).isGreaterThan(0.7);
  }

  @Test
  @DisplayName("synthetic training data is the same in every JVM for a seed (same data hash from two processes)")
  void syntheticDataIsReproducibleAcrossProcesses(@TempDir Path dir) throws Exception {
    List<String> hashes = new java.util.ArrayList<>();
    for (int run = 0; run < 2; run++) {
      Path out = dir.resolve("run" + run);
      try (io.mlserve.bench.JvmProcess p = io.mlserve.bench.JvmProcess.builder()
          .args("train", "--synthetic", "3000", "--trees", "1", "--max-depth", "2", "--out", out.toString())
          .start()) {
        assertThat(p.waitFor(60_000)).isZero();
      }
      hashes.add(ModelMetadata.parse(new JsonObject(Files.readString(out.resolve("modelo1/1/metadata.json"))))
          .toJson().getJsonObject("data").getString("hash"));
    }
    assertThat(hashes.get(1)).isEqualTo(hashes.get(0));
  }

  @Test
  @DisplayName("`mlserve train --synthetic` writes the next version, and the trainer role registers it as production")
  void trainCommandAndSync(@TempDir Path models) throws Exception {
    Files.createDirectories(models.resolve("modelo1"));
    String[] args = {"train", "--synthetic", "3000", "--trees", "8", "--max-depth", "8", "--out", models.toString()};
    assertThat(io.mlserve.Main.execute(args)).isZero();
    assertThat(io.mlserve.Main.execute(args)).isZero(); // a second run takes the next version
    assertThat(models.resolve("modelo1/1/model.onnx")).exists();
    assertThat(models.resolve("modelo1/2/metadata.json")).exists();
    assertThat(accuracyOnSynthetic(models.resolve("modelo1/2"), 1000)).isGreaterThan(0.6);
    assertThat(io.mlserve.Main.execute("train", "--synthetic", "3000", "--trees", "0", "--out", models.toString()))
        .isEqualTo(2);
    assertThat(io.mlserve.Main.execute("train", "--csv", models.resolve("missing.csv").toString(), "--out",
        models.toString())).isEqualTo(2);

    try (TestApp app = TestApp.start(EnumSet.of(Role.TRAINER),
        new JsonObject().put("models", new JsonObject().put("dir", models.toString())))) {
      ModelRegistry registry = TrainerVerticle.registry(app.app().services());
      JsonObject production = await(registry.production("modelo1"));
      assertThat(production).isNotNull();
      assertThat(production.getInteger("version")).isEqualTo(2);
      assertThat(await(registry.list())).hasSize(2);
    }
  }
}
