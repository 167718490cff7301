package io.mlserve.cli;

import io.mlserve.app.MlserveApp;
import io.mlserve.app.Role;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.CovertypeSchema;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import picocli.CommandLine.Command;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Starts every role against a throw-away embedded MongoDB, waits until ready, serves one request of each main kind
 * and stops. Run under {@code -XX:ArchiveClassesAtExit=FILE}, it records the classes a service start loads into a
 * class-data-sharing archive; {@code java -XX:SharedArchiveFile=FILE -jar mlserve.jar} then starts much faster
 * (the build makes {@code target/mlserve.jsa} this way; see README, "Start-up").
 */
@Command(name = "warmup", mixinStandardHelpOptions = true,
    description = "Start all roles, serve a few requests, stop (run with -XX:ArchiveClassesAtExit to make a CDS archive).")
public final class WarmupCommand implements Callable<Integer> {
  private static final long READY_TIMEOUT_MS = 60_000;

  @Override
  public Integer call() throws Exception {
    Path dataDir = Files.createTempDirectory("mlserve-warmup");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    JsonObject overrides = new JsonObject()
        .put("dataDir", dataDir.toString())
        .put("http", new JsonObject().put("port", port).put("host", "127.0.0.1"))
        .put("mongo", new JsonObject().put("uri", "").put("embeddedBackend", "memory"))
        .put("redis", new JsonObject().put("prefix", "warmup-" + UUID.randomUUID() + ":"));
    MlserveConfig config = ConfigLoader.load(null, System.getenv(), overrides);
    MlserveApp app = MlserveApp.start(config, EnumSet.allOf(Role.class));
    try {
      exercise(WebClient.create(app.vertx()), port);
      System.err.println("warmup: ready and served a request of each kind");
      return 0;
    } finally {
      app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void exercise(WebClient client, int port) throws Exception {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (get(client, port, "/health/ready").statusCode() != 200) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("not ready within " + READY_TIMEOUT_MS + " ms");
      }
      Thread.sleep(100);
    }
    Map<String, Object> row = new LinkedHashMap<>(new CovertypeGenerator(42).rows(1).get(0));
    row.remove(CovertypeSchema.LABEL);
    await(client.post(port, "127.0.0.1", "/predict").sendJsonObject(new JsonObject(row)));
    for (String path : new String[] {"/models", "/recommendations/1", "/metrics", "/version"}) {
      get(client, port, path);
    }
  }

  private static HttpResponse<Buffer> get(WebClient client, int port, String path) throws Exception {
    return await(client.get(port, "127.0.0.1", path).send());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
