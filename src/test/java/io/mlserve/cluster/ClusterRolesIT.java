package io.mlserve.cluster;

import io.mlserve.bench.JvmProcess;
import io.mlserve.testing.ProcessGroup;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Roles in separate JVMs on a clustered event bus: each process sees which remote roles answer. */
class ClusterRolesIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static JsonObject readyChecks(int port) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject out = new JsonObject().put("status", r.statusCode());
    new JsonObject(r.body()).getJsonArray("checks").forEach(o -> {
      JsonObject c = (JsonObject) o;
      out.put(c.getString("id"), c.getJsonObject("data", new JsonObject()).put("status", c.getString("status")));
    });
    return out;
  }

  /** Polls until {@code role} has the wanted state in the api process's roles check. */
  static String awaitRole(int port, String role, String prefix, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        last = readyChecks(port).getJsonObject("roles").getString(role);
        if (last != null && last.startsWith(prefix)) {
          return last;
        }
      } catch (Exception notYet) {
        // process still starting
      }
      Thread.sleep(250);
    }
    return last;
  }

  @Test
  @DisplayName("an api process sees a remote recommender; when it dies the role turns unreachable")
  void remoteRoles() throws Exception {
    try (ProcessGroup group = new ProcessGroup()) {
      int recPort = JvmProcess.freePort();
      int apiPort = JvmProcess.freePort();
      JvmProcess rec = group.start("recommender", recPort, "recommender", Map.of());
      assertThat(rec.awaitHttp200("http://127.0.0.1:" + recPort + "/health/ready", 90_000))
          .as("recommender ready; log:%n%s", rec.logText()).isGreaterThanOrEqualTo(0);
      JvmProcess api = group.start("api", apiPort, "api", Map.of());
      assertThat(api.awaitHttp200("http://127.0.0.1:" + apiPort + "/health/ready", 90_000))
          .as("api ready; log:%n%s", api.logText()).isGreaterThanOrEqualTo(0);
      assertThat(awaitRole(apiPort, "recommender", "remote", 30_000)).startsWith("remote");
      assertThat(readyChecks(apiPort).getJsonObject("roles").getString("api")).isEqualTo("local");
      rec.process().destroyForcibly().waitFor();
      assertThat(awaitRole(apiPort, "recommender", "unreachable", 60_000)).isEqualTo("unreachable");
    }
  }
}
