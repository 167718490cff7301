package io.mlserve.registry;

import io.mlserve.app.Role;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelRegistryTest {
  @TempDir
  Path models;
  private TestApp app;
  private Services services;
  private ModelRegistry registry;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.API), new JsonObject());
    services = app.app().services();
    registry = new ModelRegistry(services.vertx(), services.mongo(), models);
  }

  @AfterEach
  void stop() throws Exception {
    app.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("versions are numbered per name, files land under models/{name}/{version}, promotion moves the stage")
  void registerAndPromote() throws Exception {
    Promise<JsonObject> changed = Promise.promise();
    services.vertx().eventBus().<JsonObject>consumer(ModelRegistry.CHANGED_ADDRESS, m -> changed.tryComplete(m.body()));
    JsonObject v1 = await(registry.register(TestModels.randomForest("modelo1", 1, 3).metadata(),
        TestModels.randomForest("modelo1", 1, 3).onnx()));
    JsonObject v2 = await(registry.register(TestModels.randomForest("modelo1", 2, 3).metadata(),
        TestModels.randomForest("modelo1", 2, 3).onnx()));
    assertThat(v1.getInteger("version")).isEqualTo(1);
    assertThat(v2.getInteger("version")).isEqualTo(2);
    assertThat(v2.getString("stage")).isEqualTo("none");
    assertThat(Files.isRegularFile(models.resolve("modelo1/2/model.onnx"))).isTrue();
    assertThat(await(registry.metadata("modelo1", 2)).version()).isEqualTo(2);

    await(registry.promote("modelo1", 1));
    await(registry.promote("modelo1", 2));
    assertThat(await(registry.production("modelo1")).getInteger("version")).isEqualTo(2);
    assertThat(await(registry.get("modelo1", 1)).getString("stage")).isEqualTo("archived");
    assertThat(await(changed.future()).getString("name")).isEqualTo("modelo1");
    List<JsonObject> all = await(registry.list());
    assertThat(all).extracting(d -> d.getInteger("version")).containsExactly(1, 2);
    assertThat(all.get(1).getJsonArray("aliases").getList()).containsExactly("production");
  }

  @Test
  @DisplayName("models on disk but not in MongoDB are registered, and the latest becomes production")
  void syncFromDisk() throws Exception {
    ModelRegistry writer = new ModelRegistry(services.vertx(), services.mongo(), models);
    await(writer.register(TestModels.randomForest("boot", 1, 2).metadata(), TestModels.randomForest("boot", 1, 2).onnx()));
    await(services.mongo().removeDocuments("models", new JsonObject()));
    Files.createDirectories(models.resolve("boot/7"));
    Files.writeString(models.resolve("boot/7/metadata.json"), "{not json");
    Files.writeString(models.resolve("boot/7/model.onnx"), "x");
    await(registry.syncFromDisk());
    await(registry.syncFromDisk()); // idempotent
    assertThat(await(registry.list())).hasSize(1);
    assertThat(await(registry.production("boot")).getInteger("version")).isEqualTo(1);
  }

  @Test
  @DisplayName("names that could escape the models directory or inject queries are refused")
  void pathSafety() {
    for (String bad : List.of("../etc", "a/b", "..", ".hidden", "{\"$gt\":\"\"}", "", "x".repeat(65))) {
      assertThatThrownBy(() -> ModelRegistry.checkName(bad)).as(bad).isInstanceOf(ApiError.class);
    }
    assertThat(registry.versionDir("modelo1", 3)).isEqualTo(models.toAbsolutePath().resolve("modelo1/3"));
    assertThatThrownBy(() -> registry.versionDir("modelo1", 0)).isInstanceOf(ApiError.class);
  }

  @Test
  @DisplayName("metadata.json is validated: missing parts and inconsistent widths are named")
  void metadataValidation() {
    JsonObject good = TestModels.randomForest("m", 1, 1).metadata().toJson();
    assertThatThrownBy(() -> ModelMetadata.parse(good.copy().put("inputWidth", 12)))
        .hasMessageContaining("inputWidth 12");
    JsonObject noOnnx = good.copy();
    noOnnx.remove("onnx");
    assertThatThrownBy(() -> ModelMetadata.parse(noOnnx)).hasMessageContaining("'onnx'");
    assertThat(ModelMetadata.parse(good).encoding().width()).isEqualTo(54);
  }
}
