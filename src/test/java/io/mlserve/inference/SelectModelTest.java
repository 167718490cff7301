package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static io.mlserve.inference.InferenceFixtures.EXAMPLE_ROW;
import static io.mlserve.inference.InferenceFixtures.assertPredicts;
import static io.mlserve.inference.InferenceFixtures.await;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /select-model: answers, persistence across restarts, and following other processes' selections. */
@ExtendWith(VertxExtension.class)
class SelectModelTest {
  @TempDir
  Path dir;

  private TestApp start(String backend) throws Exception {
    return TestApp.start(EnumSet.of(Role.API, Role.INFERENCE), new JsonObject()
        .put("dataDir", dir.resolve("data").toString())
        .put("mongo", new JsonObject().put("embeddedBackend", backend))
        .put("models", new JsonObject().put("dir", dir.resolve("models").toString())));
  }

  @Test
  @DisplayName("select-model: 200 with the selection, 404 listing known names or versions, 422 for bad bodies")
  void answers(Vertx vertx) throws Exception {
    TestModels.Model v1 = InferenceFixtures.write(dir.resolve("models"), "modelo1", 1, 11, 9);
    InferenceFixtures.write(dir.resolve("models"), "modelo1", 2, 22, 9);
    InferenceFixtures.write(dir.resolve("models"), "other", 1, 33, 9);
    InferenceFixtures.write(dir.resolve("models"), "broken", 1, 44, 3);
    java.nio.file.Files.writeString(dir.resolve("models/broken/1/model.onnx"), "not an ONNX graph");
    try (TestApp app = start("memory")) {
      WebClient c = WebClient.create(vertx);
      var ok = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "modelo1")
          .put("version", 1)));
      assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(200);
      JsonObject selected = ok.bodyAsJsonObject().getJsonObject("selected");
      assertThat(selected.getString("model_name")).isEqualTo("modelo1");
      assertThat(selected.getInteger("version")).isEqualTo(1);
      assertThat(selected.getBoolean("followsProduction")).isFalse();
      assertThat(selected.getBoolean("loaded")).isTrue();
      var served = await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject();
      assertThat(served.getInteger("version")).isEqualTo(1);
      assertPredicts(v1, EXAMPLE_ROW, served.getJsonArray("predictions").getJsonObject(0));

      var again = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "modelo1")
          .put("version", 1)));
      assertThat(again.bodyAsJsonObject().getBoolean("changed")).isFalse();

      var unknown = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "nosuch")));
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.bodyAsJsonObject().getString("field")).isEqualTo("model_name");
      assertThat(unknown.bodyAsJsonObject().getJsonArray("known").getList()).containsExactly("broken", "modelo1", "other");
      assertThat(unknown.bodyAsJsonObject().getString("detail")).contains("broken, modelo1, other");
      var noVersion = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "other")
          .put("version", 4)));
      assertThat(noVersion.statusCode()).isEqualTo(404);
      assertThat(noVersion.bodyAsJsonObject().getString("field")).isEqualTo("version");
      assertThat(noVersion.bodyAsJsonObject().getJsonArray("versions").getList()).containsExactly(1);

      List<Object[]> bad = List.of(
          new Object[] {new JsonObject(), "model_name"},
          new Object[] {new JsonObject().put("model_name", 5), "model_name"},
          new Object[] {new JsonObject().put("model_name", "../x"), "model_name"},
          new Object[] {new JsonObject().put("model_name", "modelo1").put("version", "2"), "version"},
          new Object[] {new JsonObject().put("model_name", "modelo1").put("version", 0), "version"},
          new Object[] {new JsonObject().put("model_name", "modelo1").put("version", 1.5), "version"},
          new Object[] {new JsonObject().put("model_name", "modelo1").put("stage", "x"), "stage"},
          new Object[] {new JsonArray().add("modelo1"), "body"});
      for (Object[] b : bad) {
        var r = await(post(c, app.port(), "/select-model", b[0]));
        assertThat(r.statusCode()).as(b[0] + " -> " + r.bodyAsString()).isEqualTo(422);
        assertThat(r.bodyAsJsonObject().getString("field")).as(b[0].toString()).isEqualTo(b[1]);
      }
      var broken = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "broken")));
      assertThat(broken.statusCode()).as(broken.bodyAsString()).isEqualTo(422);
      assertThat(broken.bodyAsJsonObject().getString("detail")).contains("ONNX Runtime cannot load model broken");
      var malformed = await(post(c, app.port(), "/select-model", Buffer.buffer("{\"model_name\":")));
      assertThat(malformed.statusCode()).isEqualTo(400);
      // none of the failures moved the selection
      assertThat(await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject().getInteger("version"))
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the selection is stored in MongoDB: a restarted process serves the model selected before")
  void survivesRestart(Vertx vertx) throws Exception {
    InferenceFixtures.write(dir.resolve("models"), "modelo1", 1, 11, 5);
    InferenceFixtures.write(dir.resolve("models"), "modelo1", 2, 22, 5);
    WebClient c = WebClient.create(vertx);
    try (TestApp app = start("h2")) {
      assertThat(await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject().getInteger("version"))
          .isEqualTo(2);
      assertThat(await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "modelo1")
          .put("version", 1))).statusCode()).isEqualTo(200);
    }
    try (TestApp app = start("h2")) {
      assertThat(await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject().getInteger("version"))
          .isEqualTo(1);
      JsonObject selected = await(c.get(app.port(), "127.0.0.1", "/models").send()).bodyAsJsonObject()
          .getJsonObject("selected");
      assertThat(selected.getString("source")).isEqualTo("POST /select-model");
      assertThat(selected.getInteger("version")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a selection published by another inference process is followed here")
  void followsOtherProcesses(Vertx vertx) throws Exception {
    InferenceFixtures.write(dir.resolve("models"), "modelo1", 1, 11, 5);
    InferenceFixtures.write(dir.resolve("models"), "modelo1", 2, 22, 5);
    try (TestApp app = start("memory")) {
      WebClient c = WebClient.create(vertx);
      app.app().vertx().eventBus().publish(InferenceService.SELECTION_CHANGED, new JsonObject()
          .put("model_name", "modelo1").put("version", 1).put("origin", "another-process"));
      long deadline = System.currentTimeMillis() + 10_000;
      int version = 0;
      while (System.currentTimeMillis() < deadline && version != 1) {
        version = await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject().getInteger("version");
      }
      assertThat(version).isEqualTo(1);
    }
  }
}
