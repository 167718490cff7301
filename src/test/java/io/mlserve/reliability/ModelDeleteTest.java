package io.mlserve.reliability;

import io.mlserve.app.Role;
import io.mlserve.inference.InferenceFixtures;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import static io.mlserve.inference.InferenceFixtures.EXAMPLE_ROW;
import static io.mlserve.inference.InferenceFixtures.await;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code DELETE /models/{name}/{version}}: 404, 409 for what serves, and a clean removal of the rest. */
@ExtendWith(VertxExtension.class)
class ModelDeleteTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("delete: 404 unknown, 409 production/selected, 200 removes entry, files and the override session")
  void deleteVersions(Vertx vertx) throws Exception {
    Path models = dir.resolve("models");
    InferenceFixtures.write(models, "modelo1", 1, 11, 5);
    InferenceFixtures.write(models, "modelo1", 2, 22, 5);
    TestModels.Model v3 = InferenceFixtures.write(models, "modelo1", 3, 33, 5);
    InferenceFixtures.write(models, "other", 1, 44, 5);
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE), new JsonObject()
        .put("models", new JsonObject().put("dir", models.toString())))) {
      WebClient c = WebClient.create(vertx);
      int port = app.port();
      // version 3 is production (highest on disk); pin version 2 as the selection
      assertThat(await(post(c, port, "/select-model", new JsonObject().put("model_name", "modelo1")
          .put("version", 2))).statusCode()).isEqualTo(200);

      var unknownName = await(c.delete(port, "127.0.0.1", "/models/nosuch/1").send());
      assertThat(unknownName.statusCode()).isEqualTo(404);
      var unknownVersion = await(c.delete(port, "127.0.0.1", "/models/modelo1/9").send());
      assertThat(unknownVersion.statusCode()).isEqualTo(404);
      var badVersion = await(c.delete(port, "127.0.0.1", "/models/modelo1/0").send());
      assertThat(badVersion.statusCode()).isEqualTo(400);
      assertThat(badVersion.bodyAsJsonObject().getString("field")).isEqualTo("version");
      var injection = await(c.delete(port, "127.0.0.1", "/models/%7B%22%24gt%22%3A%22%22%7D/1").send());
      assertThat(injection.statusCode()).isEqualTo(400);
      assertThat(injection.bodyAsJsonObject().getString("field")).isEqualTo("name");

      var production = await(c.delete(port, "127.0.0.1", "/models/modelo1/3").send());
      assertThat(production.statusCode()).as(production.bodyAsString()).isEqualTo(409);
      assertThat(production.bodyAsJsonObject().getString("detail")).contains("production");
      var selected = await(c.delete(port, "127.0.0.1", "/models/modelo1/2").send());
      assertThat(selected.statusCode()).as(selected.bodyAsString()).isEqualTo(409);
      assertThat(selected.bodyAsJsonObject().getString("detail")).contains("selected");

      // version 1: neither; load it as an override session first, so the delete must drop that session too
      var override = await(post(c, port, "/predict?model=modelo1:1", EXAMPLE_ROW));
      assertThat(override.bodyAsJsonObject().getInteger("version")).isEqualTo(1);
      var deleted = await(c.delete(port, "127.0.0.1", "/models/modelo1/1").send());
      assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
      assertThat(deleted.bodyAsJsonObject().getJsonObject("deleted"))
          .isEqualTo(new JsonObject().put("model_name", "modelo1").put("version", 1).put("stage", "none"));
      assertThat(models.resolve("modelo1/1")).doesNotExist();
      try (Stream<Path> left = Files.list(models.resolve("modelo1"))) {
        assertThat(left.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("2", "3");
      }
      assertThat(models.resolve("other/1/model.onnx")).exists();
      long docs = await(app.app().services().mongo().count(Collections.MODELS,
          new JsonObject().put("name", "modelo1").put("version", 1)));
      assertThat(docs).isZero();
      JsonArray versions = await(c.get(port, "127.0.0.1", "/models").send()).bodyAsJsonObject()
          .getJsonArray("models").getJsonObject(0).getJsonArray("versions");
      assertThat(versions.stream().map(v -> ((JsonObject) v).getInteger("version")).toList())
          .containsExactly(2, 3);
      var gone = await(post(c, port, "/predict?model=modelo1:1", EXAMPLE_ROW));
      assertThat(gone.statusCode()).as("the override session was dropped: " + gone.bodyAsString()).isEqualTo(404);
      assertThat(await(c.delete(port, "127.0.0.1", "/models/modelo1/1").send()).statusCode()).isEqualTo(404);

      // after selecting another version, the former selection can go; a restart does not bring it back
      assertThat(await(post(c, port, "/select-model", new JsonObject().put("model_name", "modelo1")))
          .statusCode()).isEqualTo(200);
      assertThat(await(c.delete(port, "127.0.0.1", "/models/modelo1/2").send()).statusCode()).isEqualTo(200);
      var served = await(post(c, port, "/predict", EXAMPLE_ROW)).bodyAsJsonObject();
      assertThat(served.getInteger("version")).isEqualTo(3);
      InferenceFixtures.assertPredicts(v3, EXAMPLE_ROW, served.getJsonArray("predictions").getJsonObject(0));
      await(new io.mlserve.registry.ModelRegistry(app.app().vertx(), app.app().services().mongo(), models)
          .syncFromDisk());
      List<Integer> after = await(app.app().services().mongo().find(Collections.MODELS,
          new JsonObject().put("name", "modelo1"))).stream().map(d -> d.getInteger("version")).sorted().toList();
      assertThat(after).containsExactly(3);
    }
  }
}
