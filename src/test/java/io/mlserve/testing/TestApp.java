package io.mlserve.testing;

import io.mlserve.app.MlserveApp;
import io.mlserve.app.Role;
import io.mlserve.bench.JvmProcess;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole application in-process for integration tests: embedded MongoDB (memory backend unless the test asks for
 * H2), the real Redis with a key prefix of its own, a free HTTP port, a temporary data directory. The environment
 * is not read, so tests are hermetic; {@code overrides} set config keys like a {@code --conf} file would.
 */
public final class TestApp implements AutoCloseable {
  private final MlserveApp app;
  private final Path dataDir;
  private final int blockedMark;

  private TestApp(MlserveApp app, Path dataDir, int blockedMark) {
    this.app = app;
    this.dataDir = dataDir;
    this.blockedMark = blockedMark;
  }

  public static TestApp start() throws Exception {
    return start(EnumSet.allOf(Role.class), new JsonObject());
  }

  public static TestApp start(Set<Role> roles, JsonObject overrides) throws Exception {
    Path dataDir = overrides.getString("dataDir") != null ? Path.of(overrides.getString("dataDir"))
        : Files.createTempDirectory("mlserve-test");
    int mark = BlockedThreadWatch.mark();
    return new TestApp(MlserveApp.start(config(dataDir, overrides), roles), dataDir, mark);
  }

  /** The config a test app gets: defaults, test isolation settings, then the test's own overrides. */
  public static MlserveConfig config(Path dataDir, JsonObject overrides) {
    JsonObject base = new JsonObject()
        .put("dataDir", dataDir.toString())
        .put("http", new JsonObject().put("port", JvmProcess.freePort()).put("host", "127.0.0.1")
            .put("instances", 2).put("shutdownGraceMs", 2000))
        .put("mongo", new JsonObject().put("embeddedBackend", "memory"))
        .put("redis", new JsonObject().put("prefix", "test-" + UUID.randomUUID() + ":"))
        .put("models", new JsonObject().put("dir", dataDir.resolve("models").toString()));
    return ConfigLoader.load(null, Map.of(), deepMerge(base, overrides));
  }

  /**
   * Config overrides giving the app a models directory with the shipped bootstrap model (a copy of
   * {@code models/modelo1/1}), as a fresh install has: the inference role is ready only with a model.
   */
  public static JsonObject withShippedModel(JsonObject overrides) throws java.io.IOException {
    Path models = Files.createTempDirectory("mlserve-models");
    Path shipped = Path.of("models", "modelo1", "1");
    Path target = Files.createDirectories(models.resolve("modelo1").resolve("1"));
    for (String f : List.of("model.onnx", "metadata.json")) {
      Files.copy(shipped.resolve(f), target.resolve(f));
    }
    return deepMerge(overrides, new JsonObject().put("models", new JsonObject().put("dir", models.toString())));
  }

  static JsonObject deepMerge(JsonObject base, JsonObject over) {
    JsonObject out = base.copy();
    over.forEach(e -> {
      if (e.getValue() instanceof JsonObject o && out.getValue(e.getKey()) instanceof JsonObject b) {
        out.put(e.getKey(), deepMerge(b, o));
      } else {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  public MlserveApp app() {
    return app;
  }

  public int port() {
    return app.httpPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() throws Exception {
    try {
      app.services().redis().deleteAllWithPrefix().toCompletionStage().toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // Redis may be what the test took down
    }
    app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<String> blocked = BlockedThreadWatch.newSince(blockedMark);
    if (!blocked.isEmpty()) {
      throw new AssertionError("Vert.x reported blocked threads while this app ran: " + blocked);
    }
  }
}
