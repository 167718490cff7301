package io.mlserve.app;

import io.mlserve.bench.JvmProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Two api processes on one host and one port (SO_REUSEPORT): both serve, the kernel spreads new connections. */
class ReusePortTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("with http.reusePort two processes listen on the same port and both answer")
  void twoProcessesOnePort() throws Exception {
    int port = JvmProcess.freePort();
    JvmProcess.Builder base = JvmProcess.builder().jvmArg("-Xmx256m").args("--roles", "api")
        .env("MLSERVE_HTTP_PORT", String.valueOf(port)).env("MLSERVE_HTTP_REUSE_PORT", "true")
        .env("MLSERVE_MONGO_EMBEDDED_BACKEND", "memory").env("MLSERVE_HTTP_INSTANCES", "1")
        .env("MLSERVE_REDIS_PREFIX", "test-" + UUID.randomUUID() + ":");
    try (JvmProcess one = base.env("MLSERVE_DATA_DIR", dir.resolve("one").toString()).start();
         JvmProcess two = base.env("MLSERVE_DATA_DIR", dir.resolve("two").toString()).start()) {
      String url = "http://127.0.0.1:" + port;
      assertThat(one.awaitHttp200(url + "/health/ready", 60_000)).as(one.logText()).isGreaterThanOrEqualTo(0);
      assertThat(two.awaitHttp200(url + "/health/ready", 60_000)).as(two.logText()).isGreaterThanOrEqualTo(0);
      Set<String> nodes = new HashSet<>();
      for (int i = 0; i < 60 && nodes.size() < 2; i++) {
        // a new client per request: new connections are what the kernel spreads
        HttpClient c = HttpClient.newHttpClient();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url + "/version")).build(),
            HttpResponse.BodyHandlers.ofString());
        nodes.add(new JsonObject(r.body()).getString("node"));
      }
      assertThat(nodes).as("processes that answered on port %d", port).hasSize(2);
      assertThat(one.process().isAlive() && two.process().isAlive()).isTrue();
    }
  }
}
