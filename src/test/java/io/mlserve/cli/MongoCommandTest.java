package io.mlserve.cli;

import io.mlserve.bench.JvmProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlserve mongo}: the embedded MongoDB as a process of its own, reached by the real client over TCP. */
class MongoCommandTest {
  @TempDir
  Path dataDir;

  private JvmProcess start(int port, String backend) throws Exception {
    JvmProcess p = JvmProcess.builder().jvmArg("-Xmx256m")
        .args("mongo", "--backend", backend, "--port", String.valueOf(port), "--data-dir", dataDir.toString())
        .start();
    assertThat(p.awaitOutput("mongo: listening on mongodb://127.0.0.1:" + port, 60_000)).as(p.logText()).isTrue();
    return p;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the h2 backend keeps what was written across a SIGTERM and a restart on the same data directory")
  void persistsAcrossRestarts() throws Exception {
    int port = JvmProcess.freePort();
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put("connection_string", "mongodb://127.0.0.1:" + port)
          .put("db_name", "t").put("serverSelectionTimeoutMS", 10_000);
      try (JvmProcess first = start(port, "h2")) {
        MongoClient mongo = MongoClient.create(vertx, config);
        await(mongo.insert("things", new JsonObject().put("_id", "a").put("n", 42)));
        await(mongo.close());
        first.sigterm();
        assertThat(first.waitFor(30_000)).as(first.logText()).isEqualTo(0);
      }
      try (JvmProcess second = start(port, "h2")) {
        MongoClient mongo = MongoClient.create(vertx, config);
        JsonObject found = await(mongo.findOne("things", new JsonObject().put("_id", "a"), null));
        assertThat(found).isEqualTo(new JsonObject().put("_id", "a").put("n", 42));
        await(mongo.close());
      }
    } finally {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("an unknown backend exits with status 2 naming the valid ones")
  void unknownBackend() throws Exception {
    try (JvmProcess p = JvmProcess.builder().jvmArg("-Xmx128m").args("mongo", "--backend", "rocks").start()) {
      assertThat(p.waitFor(30_000)).isEqualTo(2);
      assertThat(p.logText()).contains("--backend").contains("h2 or memory").contains("'rocks'");
    }
  }
}
