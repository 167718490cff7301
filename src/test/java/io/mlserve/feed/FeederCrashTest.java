package io.mlserve.feed;

import io.mlserve.bench.JvmProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real process killed with {@code kill -9} in the middle of a feed load and started again on the same data
 * directory: the load is resumed and {@code covertype} ends with exactly the source's rows, none twice.
 */
class FeederCrashTest {
  private static final int ROWS = 3000;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dataDir;

  private JvmProcess.Builder mlserve(int port, String prefix) {
    return JvmProcess.builder()
        .jvmArg("-Xmx384m")
        .args("--roles", "api,feeder")
        .env("MLSERVE_HTTP_PORT", String.valueOf(port))
        .env("MLSERVE_HTTP_HOST", "127.0.0.1")
        .env("MLSERVE_DATA_DIR", dataDir.toString())
        .env("MLSERVE_MONGO_EMBEDDED_BACKEND", "h2")
        .env("MLSERVE_REDIS_PREFIX", prefix)
        .env("MLSERVE_REDIS_REQUIRED", "false")
        .env("MLSERVE_LOG_LEVEL", "WARN")
        .env("MLSERVE_FEED_BATCHES", "12")
        .env("MLSERVE_FEED_INTERVAL_MS", "1000")
        .env("MLSERVE_FEED_SYNTHETIC_ROWS", String.valueOf(ROWS));
  }

  private JsonObject get(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  @DisplayName("kill -9 mid-feed, restart: the load resumes and covertype holds exactly the source's rows")
  void killedMidFeed() throws Exception {
    int port = JvmProcess.freePort();
    String prefix = "test-" + UUID.randomUUID() + ":";
    String runId;
    try (JvmProcess first = mlserve(port, prefix).start()) {
      assertThat(first.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 90_000))
          .as("ready; log:%n%s", first.logText()).isGreaterThanOrEqualTo(0);
      HttpResponse<String> started = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/pipeline/run"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"steps\": [\"load\"]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      runId = new JsonObject(started.body()).getString("runId");
      long processed = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      while (processed < ROWS / 4 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        JsonObject load = get(port, "/pipeline/runs/" + runId).getJsonArray("steps").getJsonObject(0);
        JsonObject progress = load.getJsonObject("progress");
        processed = progress == null ? 0 : progress.getLong("processed", 0L);
      }
      assertThat(processed).as("rows loaded before the kill").isBetween((long) ROWS / 4, (long) ROWS - 1);
      // (a 1 s release interval keeps the load running for ~12 s, so the kill below lands mid-feed)
      // let the job's RUNNING snapshot reach the H2 file (it commits about once a second), then SIGKILL
      Thread.sleep(1200);
      first.process().destroyForcibly();
      assertThat(first.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    try (JvmProcess second = mlserve(port, prefix).start()) {
      assertThat(second.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 90_000))
          .as("ready again; log:%n%s", second.logText()).isGreaterThanOrEqualTo(0);
      JsonObject resumed = null;
      long deadline = System.currentTimeMillis() + 90_000;
      while (resumed == null && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        JsonArray jobs = get(port, "/jobs?kind=feed.load").getJsonArray("jobs");
        for (Object o : jobs) {
          JsonObject j = (JsonObject) o;
          if (j.getJsonObject("params").getString("resumedFrom") != null && !"RUNNING".equals(j.getString("state"))) {
            resumed = j;
          }
        }
      }
      assertThat(resumed).as("a resumed load that ended; log:%n%s", second.logText()).isNotNull();
      assertThat(resumed.getString("state")).as("resumed load: %s%nlog:%n%s", resumed.encode(), second.logText())
          .isEqualTo("SUCCEEDED");
      JsonObject result = resumed.getJsonObject("result");
      assertThat(result.getLong("stored")).isEqualTo(ROWS);
      // the restarted process generated the same rows (same fingerprint), so nothing was stored twice
      assertThat(result.getLong("collectionRows")).as("covertype count: %s", result.encode()).isEqualTo(ROWS);
      assertThat(result.getBoolean("consistent")).isTrue();
      assertThat(result.getLong("existing")).as("rows the killed process had stored: %s", result.encode()).isPositive();
      assertThat(result.getLong("inserted") + result.getLong("existing")).isEqualTo(ROWS);
      // the killed process's run is not left looking alive
      assertThat(get(port, "/jobs/" + resumed.getJsonObject("params").getString("resumedFrom")).getString("state"))
          .isEqualTo("FAILED");
      second.sigterm();
      assertThat(second.waitFor(30_000)).isZero();
    }
  }
}
