package io.mlserve.store;

import io.mlserve.app.Role;
import io.mlserve.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PersistenceTest {
  @TempDir
  Path dataDir;

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("embedded MongoDB with the H2 backend keeps data across a restart, and indexes are created")
  void survivesRestart() throws Exception {
    JsonObject conf = new JsonObject().put("dataDir", dataDir.toString())
        .put("mongo", new JsonObject().put("embeddedBackend", "h2"));
    try (TestApp first = TestApp.start(EnumSet.of(Role.API), conf)) {
      var mongo = first.app().services().mongo();
      await(mongo.insert("interactions", new JsonObject().put("userId", 7).put("itemId", 42).put("rating", 4.5)));
      // the unique (userId, itemId) index exists: a duplicate pair is refused
      Throwable dup = await(mongo.insert("interactions", new JsonObject().put("userId", 7).put("itemId", 42))
          .map(id -> (Throwable) null).recover(t -> io.vertx.core.Future.succeededFuture(t)));
      assertThat(dup).isNotNull();
      assertThat(dup.getMessage()).contains("duplicate key");
    }
    assertThat(Files.exists(dataDir.resolve(EmbeddedMongo.H2_FILE))).isTrue();
    try (TestApp second = TestApp.start(EnumSet.of(Role.API), conf)) {
      var found = await(second.app().services().mongo().find("interactions", new JsonObject().put("userId", 7)));
      assertThat(found).hasSize(1);
      assertThat(found.get(0).getDouble("rating")).isEqualTo(4.5);
    }
  }
}
