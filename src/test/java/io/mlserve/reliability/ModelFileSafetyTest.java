package io.mlserve.reliability;

import io.mlserve.app.Role;
import io.mlserve.inference.InferenceFixtures;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static io.mlserve.inference.InferenceFixtures.EXAMPLE_ROW;
import static io.mlserve.inference.InferenceFixtures.assertPredicts;
import static io.mlserve.inference.InferenceFixtures.await;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model files are only loaded from under the models directory, and a damaged {@code model.onnx} is refused while the
 * previous model keeps serving, on both ways a model is put into service: {@code POST /select-model} and a trainer's
 * promotion ({@code models.changed}).
 */
@ExtendWith(VertxExtension.class)
class ModelFileSafetyTest {
  @TempDir
  Path dir;

  /** Ways a model file gets damaged after the registry wrote it (and recorded its SHA-256). */
  static Map<String, UnaryOperator<byte[]>> damages() {
    Map<String, UnaryOperator<byte[]>> d = new LinkedHashMap<>();
    d.put("truncated to half", b -> Arrays.copyOf(b, b.length / 2));
    d.put("truncated by one byte", b -> Arrays.copyOf(b, b.length - 1));
    d.put("bytes flipped in the middle", b -> {
      byte[] c = b.clone();
      for (int i = c.length / 2; i < c.length / 2 + 8; i++) {
        c[i] ^= 0x5A;
      }
      return c;
    });
    d.put("empty", b -> new byte[0]);
    d.put("not ONNX", b -> "<html>502 Bad Gateway</html>".getBytes());
    return d;
  }

  private TestApp start() throws Exception {
    return TestApp.start(EnumSet.of(Role.API, Role.INFERENCE), new JsonObject()
        .put("models", new JsonObject().put("dir", dir.resolve("models").toString())));
  }

  /** Writes a version through the registry (records its SHA-256), then damages its model.onnx on disk. */
  private static void writeDamaged(Path models, String name, int version, UnaryOperator<byte[]> damage)
      throws Exception {
    TestModels.Model m = TestModels.randomForest(name, 900 + version, 5);
    ModelMetadata written = ModelRegistry.writeVersion(models, m.metadata(), m.onnx(), version);
    assertThat(written.version()).isEqualTo(version);
    assertThat(written.modelSha256()).isEqualTo(ModelMetadata.sha256Hex(m.onnx()));
    Path file = models.resolve(name).resolve(Integer.toString(version)).resolve(ModelRegistry.MODEL_FILE);
    Files.write(file, damage.apply(Files.readAllBytes(file)));
  }

  private static int servedVersion(WebClient c, int port, TestModels.Model expected) throws Exception {
    HttpResponse<Buffer> r = await(post(c, port, "/predict", EXAMPLE_ROW));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertPredicts(expected, EXAMPLE_ROW, body.getJsonArray("predictions").getJsonObject(0));
    return body.getInteger("version");
  }

  @Test
  @DisplayName("select-model: a truncated, corrupt, empty or non-ONNX model.onnx is a 422; the previous model serves")
  void selectRefusesDamagedFiles(Vertx vertx) throws Exception {
    Path models = dir.resolve("models");
    TestModels.Model v1 = InferenceFixtures.write(models, "modelo1", 1, 11, 5);
    List<String> kinds = List.copyOf(damages().keySet());
    for (int i = 0; i < kinds.size(); i++) {
      writeDamaged(models, "damaged", i + 1, damages().get(kinds.get(i)));
    }
    try (TestApp app = start()) {
      WebClient c = WebClient.create(vertx);
      assertThat(servedVersion(c, app.port(), v1)).isEqualTo(1);
      for (int i = 0; i < kinds.size(); i++) {
        var r = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "damaged")
            .put("version", i + 1)));
        assertThat(r.statusCode()).as(kinds.get(i) + ": " + r.bodyAsString()).isEqualTo(422);
        assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("model_name");
        assertThat(r.bodyAsJsonObject().getString("detail")).as(kinds.get(i))
            .contains("model.onnx is corrupt or truncated");
        var override = await(post(c, app.port(), "/predict?model=damaged:" + (i + 1), EXAMPLE_ROW));
        assertThat(override.statusCode()).as(kinds.get(i) + " as ?model=").isEqualTo(422);
        assertThat(servedVersion(c, app.port(), v1)).as("after " + kinds.get(i)).isEqualTo(1);
      }
      JsonObject selected = await(c.get(app.port(), "127.0.0.1", "/models").send()).bodyAsJsonObject()
          .getJsonObject("selected");
      assertThat(selected.getString("model_name")).isEqualTo("modelo1");
      assertThat(selected.getInteger("servingVersion")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("promotion: a damaged new production version is refused; the previous version keeps serving")
  void promotionRefusesDamagedFiles(Vertx vertx) throws Exception {
    Path models = dir.resolve("models");
    TestModels.Model v1 = InferenceFixtures.write(models, "modelo1", 1, 11, 5);
    try (TestApp app = start()) {
      WebClient c = WebClient.create(vertx);
      ModelRegistry registry = new ModelRegistry(app.app().vertx(), app.app().services().mongo(), models);
      assertThat(servedVersion(c, app.port(), v1)).isEqualTo(1);
      int version = 1;
      for (Map.Entry<String, UnaryOperator<byte[]>> damage : damages().entrySet()) {
        version++;
        writeDamaged(models, "modelo1", version, damage.getValue());
        await(registry.syncFromDisk());
        await(registry.promote("modelo1", version)); // publishes models.changed like the trainer does
        // selection changes run one after another: this one starts after the promotion's load attempt ended
        var follow = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "modelo1")));
        assertThat(follow.statusCode()).as(damage.getKey() + ": " + follow.bodyAsString()).isEqualTo(422);
        assertThat(servedVersion(c, app.port(), v1)).as("after promoting a file " + damage.getKey()).isEqualTo(1);
      }
      // the version still serving cannot be deleted, although it is archived now
      var delete = await(c.delete(app.port(), "127.0.0.1", "/models/modelo1/1").send());
      assertThat(delete.statusCode()).as(delete.bodyAsString()).isEqualTo(409);
      assertThat(delete.bodyAsJsonObject().getString("detail")).contains("serving");
      // a good version promoted afterwards is picked up: the damaged ones did not wedge the follower
      TestModels.Model good = TestModels.randomForest("modelo1", 77, 5);
      ModelMetadata written = ModelRegistry.writeVersion(models, good.metadata(), good.onnx(), version + 1);
      await(registry.syncFromDisk());
      await(registry.promote("modelo1", written.version()));
      long deadline = System.currentTimeMillis() + 10_000;
      int served = 1;
      while (served != written.version() && System.currentTimeMillis() < deadline) {
        served = await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject().getInteger("version");
      }
      assertThat(served).isEqualTo(written.version());
      assertThat(servedVersion(c, app.port(), good)).isEqualTo(written.version());
    }
  }

  @Test
  @DisplayName("a model directory or model.onnx linked from outside the models directory is never loaded")
  void symlinksOutOfTheModelsDirectoryAreRefused(Vertx vertx) throws Exception {
    Path models = dir.resolve("models");
    TestModels.Model v1 = InferenceFixtures.write(models, "modelo1", 1, 11, 5);
    Path outside = dir.resolve("outside");
    InferenceFixtures.write(outside, "escape", 1, 12, 5);
    Files.createDirectories(models.resolve("escape"));
    Files.createSymbolicLink(models.resolve("escape").resolve("1"), outside.resolve("escape").resolve("1"));
    InferenceFixtures.write(outside, "linked", 1, 13, 5);
    Path linkedDir = Files.createDirectories(models.resolve("linked").resolve("1"));
    Files.copy(outside.resolve("linked/1/metadata.json"), linkedDir.resolve("metadata.json"));
    Files.createSymbolicLink(linkedDir.resolve("model.onnx"), outside.resolve("linked/1/model.onnx"));
    try (TestApp app = start()) {
      WebClient c = WebClient.create(vertx);
      for (String name : List.of("escape", "linked")) {
        var r = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", name)
            .put("version", 1)));
        assertThat(r.statusCode()).as(name + ": " + r.bodyAsString()).isEqualTo(422);
        assertThat(r.bodyAsJsonObject().getString("detail")).contains("outside the models directory");
        assertThat(await(post(c, app.port(), "/predict?model=" + name + ":1", EXAMPLE_ROW)).statusCode())
            .isEqualTo(422);
      }
      assertThat(servedVersion(c, app.port(), v1)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("path traversal in a model name is refused at select-model, ?model= and delete, before any file access")
  void traversalRefusedEverywhere(Vertx vertx) throws Exception {
    Path models = dir.resolve("models");
    TestModels.Model v1 = InferenceFixtures.write(models, "modelo1", 1, 11, 5);
    // a valid model one level above the models directory: what "../x" would reach
    InferenceFixtures.write(dir, "x", 1, 14, 5);
    try (TestApp app = start()) {
      WebClient c = WebClient.create(vertx);
      for (String name : List.of("../x", "..", "modelo1/../../x", "/etc/passwd", "..\\x", ".hidden", "a/b",
          "%2e%2e", "x\u0000")) {
        var select = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", name)));
        assertThat(select.statusCode()).as("select " + name).isEqualTo(422);
        assertThat(select.bodyAsJsonObject().getString("field")).isEqualTo("model_name");
      }
      for (String spec : List.of("..%2Fx", "..%2F..%2Fetc%2Fpasswd:1", "%2Fetc%2Fpasswd", "modelo1%2F..%2F..%2Fx:1",
          "..%5Cx", "%2E%2E")) {
        var predict = await(post(c, app.port(), "/predict?model=" + spec, EXAMPLE_ROW));
        assertThat(predict.statusCode()).as("?model=" + spec).isEqualTo(400);
        assertThat(predict.bodyAsJsonObject().getString("field")).isEqualTo("model");
      }
      for (String name : List.of("..%2Fx", "%2E%2E", "..%5Cx", "%2Fetc%2Fpasswd", ".hidden")) {
        var delete = await(c.delete(app.port(), "127.0.0.1", "/models/" + name + "/1").send());
        assertThat(delete.statusCode()).as("delete " + name + ": " + delete.bodyAsString()).isBetween(400, 404);
        assertThat(delete.bodyAsJsonObject().getString("error")).isNotNull();
      }
      assertThat(Files.exists(dir.resolve("x/1/model.onnx"))).as("nothing outside was touched").isTrue();
      assertThat(servedVersion(c, app.port(), v1)).isEqualTo(1);
    }
  }
}
