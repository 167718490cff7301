package io.mlserve.app;

import io.mlserve.bench.JvmProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The real process: exit statuses, messages and SIGTERM handling. */
class ProcessLifecycleTest {
  @TempDir
  Path dataDir;

  private JvmProcess.Builder mlserve(int port) {
    return JvmProcess.builder()
        .jvmArg("-Xmx256m")
        .env("MLSERVE_HTTP_PORT", String.valueOf(port))
        .env("MLSERVE_DATA_DIR", dataDir.toString())
        .env("MLSERVE_MONGO_EMBEDDED_BACKEND", "memory")
        .env("MLSERVE_REDIS_PREFIX", "test-" + UUID.randomUUID() + ":")
        .env("MLSERVE_HTTP_SHUTDOWN_GRACE_MS", "5000");
  }

  @Test
  @DisplayName("an unknown role exits with status 2 and one line listing the valid roles")
  void unknownRole() throws Exception {
    try (JvmProcess p = mlserve(JvmProcess.freePort()).args("--roles", "api,foo").start()) {
      assertThat(p.waitFor(30_000)).isEqualTo(2);
      assertThat(p.logText().trim())
          .isEqualTo("mlserve: unknown role 'foo'; valid roles: api, recommender, feeder, trainer, inference");
    }
  }

  @Test
  @DisplayName("an invalid config value exits with status 2 naming the key and the value")
  void badConfig() throws Exception {
    try (JvmProcess p = mlserve(JvmProcess.freePort()).env("MLSERVE_HTTP_PORT", "abc").start()) {
      assertThat(p.waitFor(30_000)).isEqualTo(2);
      assertThat(p.logText()).contains("http.port").contains("MLSERVE_HTTP_PORT").contains("'abc'");
    }
    try (JvmProcess p = mlserve(JvmProcess.freePort()).env("MLSERVE_CACHE_TTL_SECONDS", "-3").start()) {
      assertThat(p.waitFor(30_000)).isEqualTo(2);
      assertThat(p.logText()).contains("cache.ttlSeconds").contains("'-3'");
    }
  }

  @Test
  @DisplayName("--help lists the commands")
  void help() throws Exception {
    try (JvmProcess p = JvmProcess.builder().args("--help").start()) {
      assertThat(p.waitFor(30_000)).isZero();
      assertThat(p.logText()).contains("Commands:").contains("serve").contains("bench").contains("--roles");
    }
  }

  @Test
  @DisplayName("SIGTERM: the request in flight completes, then the process exits 0")
  void sigtermDrains() throws Exception {
    int port = JvmProcess.freePort();
    // a model to serve, as the shipped models/ directory provides: the inference role is ready only with one
    io.mlserve.inference.InferenceFixtures.write(dataDir.resolve("models"), "modelo1", 1, 1, 3);
    // the production logging config, not the test classpath's plain-text logback-test.xml
    try (JvmProcess p = mlserve(port).env("MLSERVE_MODELS_DIR", dataDir.resolve("models").toString())
        .jvmArg("-Dlogback.configurationFile=logback.xml").start()) {
      assertThat(p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 60_000))
          .as("ready; log:%n%s", p.logText()).isGreaterThanOrEqualTo(0);
      // lines reach stdout while the process runs (the async appender flushes each batch), not only at exit
      assertThat(p.awaitOutput("\"path\":\"/health/ready\"", 3000))
          .as("access line of the readiness probe, written while running; log:%n%s", p.logText()).isTrue();
      String body = "{\"level\":\"INFO\"}";
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        // headers and half the body: the request is in flight when SIGTERM arrives
        out.write(("PUT /admin/log-level HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 5)).getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(300);
        p.sigterm();
        Thread.sleep(700);
        out.write(body.substring(5).getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        String response = new String(in.readNBytes(12), StandardCharsets.UTF_8);
        assertThat(response).isEqualTo("HTTP/1.1 200");
      }
      assertThat(p.waitFor(20_000)).as("exit status; log:%n%s", p.logText()).isZero();
      assertThat(p.logText()).contains("stopping: draining HTTP requests").contains("embedded MongoDB stopped");
      // stdout is JSON lines with the standard fields, and the drained request has its access-log line
      List<JsonObject> json = p.logText().lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
      assertThat(json).hasSizeGreaterThan(5).allSatisfy(l -> assertThat(l.fieldNames())
          .contains("timestamp", "level", "logger", "thread", "message"));
      JsonObject access = json.stream().filter(l -> "access".equals(l.getString("logger"))
          && "/admin/log-level".equals(l.getString("path"))).findFirst().orElseThrow();
      assertThat(access.getString("method")).isEqualTo("PUT");
      assertThat(access.getInteger("status")).isEqualTo(200);
      assertThat(access.getString("requestId")).matches("[0-9a-f]{32}");
      assertThat(access.getValue("durationMs")).isInstanceOf(Number.class);
    }
  }
}
