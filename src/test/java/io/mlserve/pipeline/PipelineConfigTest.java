package io.mlserve.pipeline;

import io.mlserve.app.Role;
import io.mlserve.config.ConfigException;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.mlserve.config.PipelineConfig;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Step lists, run records, the cron schedule, the feed/pipeline config keys, admin auth and run-on-start. */
class PipelineConfigTest {

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("step lists: known names, no repeats, in the order clear, load, train, tune")
  void steps() {
    assertThat(PipelineStep.parse(List.of("load", "TUNE"))).containsExactly(PipelineStep.LOAD, PipelineStep.TUNE);
    assertThatThrownBy(() -> PipelineStep.parse(List.of("train", "load")))
        .isInstanceOf(PipelineStep.InvalidSteps.class).hasMessageContaining("cannot come after 'train'");
    assertThatThrownBy(() -> PipelineStep.parse(List.of())).hasMessageContaining("at least one step");
    assertThatThrownBy(() -> PipelineStep.parse(List.of("clear", 3))).hasMessageContaining("steps[1]");
  }

  @Test
  @DisplayName("a run record: a failed step keeps its error and timings, the steps after it are skipped")
  @SuppressWarnings("unchecked")
  void runRecord() {
    PipelineRun run = new PipelineRun(PipelineStep.ALL, "test");
    run.started(PipelineStep.CLEAR);
    run.succeeded(PipelineStep.CLEAR, Map.of("rowsRemoved", 5));
    run.started(PipelineStep.LOAD);
    run.job(PipelineStep.LOAD, "job-1");
    run.progress(PipelineStep.LOAD, Map.of("processed", 10));
    run.failed(PipelineStep.LOAD, "feed unreachable");
    List<Map<String, Object>> steps = (List<Map<String, Object>>) run.toMap().get("steps");
    assertThat(steps).extracting(s -> s.get("state"))
        .containsExactly("SUCCEEDED", "FAILED", "SKIPPED", "SKIPPED");
    assertThat(steps.get(1)).containsEntry("jobId", "job-1").containsEntry("error", "feed unreachable")
        .containsEntry("progress", Map.of("processed", 10));
    assertThat((Long) steps.get(1).get("durationMs")).isNotNegative();
    assertThat(steps.get(2).get("durationMs")).isNull();
    assertThat(steps.get(0).get("result")).isEqualTo(Map.of("rowsRemoved", 5));
  }

  @Test
  @DisplayName("cron schedule (cron-utils, Unix syntax): the next due time after a given instant")
  void cron() {
    PipelineSchedule daily = new PipelineSchedule(PipelineConfig.parseCron("30 3 * * *"));
    ZonedDateTime now = ZonedDateTime.of(2026, 5, 1, 10, 0, 0, 0, ZoneId.of("UTC"));
    assertThat(daily.nextAfter(now)).contains(ZonedDateTime.of(2026, 5, 2, 3, 30, 0, 0, ZoneId.of("UTC")));
    PipelineSchedule quarterly = new PipelineSchedule(PipelineConfig.parseCron("*/15 * * * *"));
    assertThat(quarterly.nextAfter(now)).contains(now.plusMinutes(15));
    assertThatThrownBy(() -> PipelineConfig.parseCron("every day")).hasMessageContaining("Unix cron");
  }

  @Test
  @DisplayName("config: feed and pipeline keys come from the environment; bad values name the key")
  void configKeys() {
    MlserveConfig c = ConfigLoader.load(null, Map.of("MLSERVE_FEED_BATCHES", "20", "MLSERVE_FEED_INTERVAL_MS", "250",
        "MLSERVE_PIPELINE_SCHEDULE", "0 */6 * * *", "MLSERVE_PIPELINE_SCHEDULED_STEPS", "load,train",
        "MLSERVE_FEED_URL", "http://10.1.2.3:9000", "MLSERVE_FEED_RETRY_MAX_ATTEMPTS", "4"));
    assertThat(c.feed().batches()).isEqualTo(20);
    assertThat(c.feed().intervalMs()).isEqualTo(250);
    assertThat(c.feed().url()).isEqualTo("http://10.1.2.3:9000");
    assertThat(c.feed().retry().maxAttempts()).isEqualTo(4);
    assertThat(c.pipeline().cron()).isPresent();
    assertThat(c.pipeline().scheduledSteps()).containsExactly(PipelineStep.LOAD, PipelineStep.TRAIN);
    MlserveConfig defaults = ConfigLoader.load(null, Map.of());
    assertThat(defaults.feed().batches()).isEqualTo(10);
    assertThat(defaults.feed().intervalMs()).isEqualTo(5000);
    assertThat(defaults.feed().syntheticRows()).isEqualTo(15_000);
    assertThat(defaults.feed().synthetic()).isTrue();
    assertThat(defaults.pipeline().cron()).isEmpty();

    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_PIPELINE_SCHEDULE", "at noon")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pipeline.schedule");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_PIPELINE_SCHEDULED_STEPS", "tune,load")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pipeline.scheduledSteps");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_FEED_SOURCE", "/no/such/file.csv")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("feed.source").hasMessageContaining("no such file");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_FEED_BATCHES", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("feed.batches");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_FEED_URL", "ftp://x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("feed.url");
  }

  @Test
  @DisplayName("with admin and read keys /pipeline/* answers 401 without one; runOnStart runs the scheduled steps once")
  void adminKeyScheduleAndRunOnStart() throws Exception {
    String key = "pipeline-admin";
    JsonObject cfg = new JsonObject()
        .put("security", new JsonObject().put("adminKey", key).put("readKey", "pipeline-read"))
        .put("pipeline", new JsonObject().put("schedule", "0 3 * * *").put("runOnStart", true)
            .put("scheduledSteps", new JsonArray().add("clear")).put("pollMs", 50));
    try (TestApp app = TestApp.start(EnumSet.of(Role.API), cfg)) {
      WebClient client = WebClient.create(app.app().services().vertx());
      int port = app.port();
      assertThat(await(client.post(port, "127.0.0.1", "/pipeline/run").send()).statusCode()).isEqualTo(401);
      assertThat(await(client.get(port, "127.0.0.1", "/pipeline/runs").send()).statusCode()).isEqualTo(401);
      assertThat(await(client.get(port, "127.0.0.1", "/pipeline/runs/x").send()).statusCode()).isEqualTo(401);
      assertThat(await(client.delete(port, "127.0.0.1", "/pipeline/runs/x").send()).statusCode()).isEqualTo(401);
      assertThat(await(client.get(port, "127.0.0.1", "/pipeline/schedule").bearerTokenAuthentication("wrong").send())
          .statusCode()).isEqualTo(401);

      JsonObject schedule = await(client.get(port, "127.0.0.1", "/pipeline/schedule").bearerTokenAuthentication(key)
          .send()).bodyAsJsonObject();
      assertThat(schedule.getString("schedule")).isEqualTo("0 3 * * *");
      assertThat(schedule.getString("nextRunAt")).contains("T03:00");

      JsonObject run = null;
      for (int i = 0; i < 200; i++) {
        JsonArray runs = await(client.get(port, "127.0.0.1", "/pipeline/runs").bearerTokenAuthentication(key).send())
            .bodyAsJsonObject().getJsonArray("runs");
        run = runs.isEmpty() ? null : runs.getJsonObject(0);
        if (run != null && "SUCCEEDED".equals(run.getString("state"))) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(run).isNotNull();
      assertThat(run.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(run.getString("trigger")).isEqualTo("start");
      assertThat(run.getJsonArray("steps")).hasSize(1);
    }
  }
}
