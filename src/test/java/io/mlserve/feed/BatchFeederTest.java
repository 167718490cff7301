package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.app.Services;
import io.mlserve.bench.JvmProcess;
import io.mlserve.bus.Bus;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.store.Collections;
import io.mlserve.testing.SharedData;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The batch feeder against a real feed and the embedded MongoDB: idempotence, quarantine, faults, give-up, resume. */
class BatchFeederTest {

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static JsonObject feed(int batches, long intervalMs, int rows) {
    return new JsonObject().put("batches", batches).put("intervalMs", intervalMs).put("syntheticRows", rows)
        .put("resumeOnStart", false);
  }

  /** Starts a load through the event bus (as the pipeline does) and waits for the job's final snapshot. */
  static JsonObject load(Services s) throws Exception {
    JsonObject reply = await(Bus.request(s.vertx(), BatchFeederVerticle.LOAD_ADDRESS, new JsonObject(), 5000));
    return await(s.jobs().awaitFinished(reply.getString("jobId"), 50));
  }

  static long count(Services s, String collection) throws Exception {
    return await(s.mongo().count(collection, new JsonObject()));
  }

  @Test
  @DisplayName("a load waits for each release, stores every row once; a rerun stores 0 new rows; metrics count them")
  void idempotentLoad() throws Exception {
    try (TestApp app = TestApp.start(EnumSet.of(Role.FEEDER), new JsonObject().put("feed", feed(5, 150, 1000)))) {
      Services s = app.app().services();
      JsonObject first = await(Bus.request(s.vertx(), BatchFeederVerticle.LOAD_ADDRESS, new JsonObject(), 5000));
      JsonObject again = await(Bus.request(s.vertx(), BatchFeederVerticle.LOAD_ADDRESS, new JsonObject(), 5000));
      assertThat(again.getString("jobId")).isEqualTo(first.getString("jobId"));
      assertThat(again.getBoolean("alreadyRunning")).isTrue();
      JsonObject end = await(s.jobs().awaitFinished(first.getString("jobId"), 50));
      assertThat(end.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(end.getLong("processed")).isEqualTo(1000);
      assertThat(end.getJsonObject("detail").getJsonObject("batches").getInteger("loaded")).isEqualTo(5);
      JsonObject result = end.getJsonObject("result");
      assertThat(result.getLong("inserted")).isEqualTo(1000);
      assertThat(result.getLong("stored")).isEqualTo(1000);
      assertThat(result.getLong("collectionRows")).isEqualTo(1000);
      assertThat(result.getBoolean("consistent")).isTrue();
      // batches are released 150 ms apart, so the load cannot have finished before the last release
      assertThat(end.getLong("durationMs")).isGreaterThanOrEqualTo(4 * 150 - 50);
      assertThat(count(s, Collections.COVERTYPE)).isEqualTo(1000);

      JsonObject rerun = load(s).getJsonObject("result");
      assertThat(rerun.getLong("inserted")).isZero();
      assertThat(rerun.getLong("existing")).isEqualTo(1000);
      assertThat(count(s, Collections.COVERTYPE)).isEqualTo(1000);

      JsonObject doc = await(s.mongo().findOne(Collections.COVERTYPE, new JsonObject().put("row", 999), null));
      assertThat(doc.getString("_id")).endsWith(":999");
      assertThat(doc.getInteger("batch")).isEqualTo(4);
      assertThat(doc.getInteger("Cover_Type")).isBetween(1, 7);

      String metrics = await(WebClient.create(s.vertx()).get(app.port(), "127.0.0.1", "/metrics").send())
          .bodyAsString();
      assertThat(metrics).contains("mlserve_feed_rows_total{outcome=\"new\"} 1000.0")
          .contains("mlserve_feed_rows_total{outcome=\"existing\"} 1000.0")
          .contains("mlserve_feed_batches_total 10.0")
          .contains("mlserve_feed_quarantined_total 0.0");
    }
  }

  @Test
  @DisplayName("invalid rows go to quarantine with field and reason, identical rows are all kept, once each")
  void quarantine(@TempDir Path dir) throws Exception {
    StringWriter w = new StringWriter();
    new CovertypeGenerator(3).writeCsv(w, 30);
    List<String> lines = new java.util.ArrayList<>(List.of(w.toString().split("\n")));
    lines.add(lines.get(1)); // an exact duplicate of the first data row
    lines.add(lines.get(1));
    lines.add("2000,,5,1,2,3,4,5,6,7,Neota,C2702,2");          // missing Aspect
    lines.add("2000,1,abc,1,2,3,4,5,6,7,Cache,C2702,3");       // Slope is not a number
    lines.add("2000,1,2,1,2,3,4,5,6,7,Narnia,C2702,3");        // unknown wilderness
    lines.add("2000,1,2,1,2,3,4,5,6,7,Rawah,C2702,9");         // label out of range
    Path csv = dir.resolve("rows.csv");
    Files.writeString(csv, String.join("\n", lines) + "\n");
    JsonObject cfg = new JsonObject().put("feed", feed(3, 0, 1).put("source", csv.toString()));
    try (TestApp app = TestApp.start(EnumSet.of(Role.FEEDER), cfg)) {
      Services s = app.app().services();
      JsonObject result = load(s).getJsonObject("result");
      assertThat(result.getLong("rows")).isEqualTo(36);
      assertThat(result.getLong("stored")).isEqualTo(32);
      assertThat(result.getLong("quarantined")).isEqualTo(4);
      assertThat(result.getBoolean("consistent")).isTrue();
      assertThat(count(s, Collections.COVERTYPE)).isEqualTo(32);
      List<JsonObject> bad = await(s.mongo().find(Collections.QUARANTINE, new JsonObject()));
      assertThat(bad).extracting(d -> d.getString("field"))
          .containsExactlyInAnyOrder("Aspect", "Slope", "Wilderness_Area", "Cover_Type");
      assertThat(bad).allSatisfy(d -> {
        assertThat(d.getString("reason")).isNotBlank();
        assertThat(d.getString("raw")).startsWith("{");
      });

      JsonObject rerun = load(s).getJsonObject("result");
      assertThat(rerun.getLong("inserted")).isZero();
      assertThat(rerun.getLong("quarantinedNew")).isZero();
      assertThat(count(s, Collections.QUARANTINE)).isEqualTo(4);
      assertThat(count(s, Collections.COVERTYPE)).isEqualTo(32);
    }
  }

  @Test
  @DisplayName("the real 15,000-row Covertype sample (../shared) loads completely: every row stored, none quarantined")
  void realSample() throws Exception {
    Path csv = SharedData.require(SharedData.COVERTYPE_15K);
    JsonObject cfg = new JsonObject().put("feed", feed(10, 0, 1).put("source", csv.toAbsolutePath().toString()));
    try (TestApp app = TestApp.start(EnumSet.of(Role.FEEDER), cfg)) {
      Services s = app.app().services();
      JsonObject result = load(s).getJsonObject("result");
      assertThat(result.getLong("rows")).isEqualTo(15_000);
      assertThat(result.getLong("quarantined")).isZero();
      assertThat(result.getLong("collectionRows")).isEqualTo(15_000);
      assertThat(await(s.mongo().count(Collections.COVERTYPE, new JsonObject().put("Cover_Type", 4)))).isEqualTo(67);
    }
  }

  @Test
  @DisplayName("a feed that answers 500s and stalls past the timeout still ends with exactly the source's rows")
  void faultyFeed() throws Exception {
    JsonObject cfg = new JsonObject().put("feed", feed(10, 0, 2000)
        .put("requestTimeoutMs", 300)
        .put("retry", new JsonObject().put("maxAttempts", 0).put("initialBackoffMs", 10).put("maxBackoffMs", 40))
        .put("faults", new JsonObject().put("errorRate", 0.3).put("stallRate", 0.2).put("stallMs", 1500)));
    try (TestApp app = TestApp.start(EnumSet.of(Role.FEEDER), cfg)) {
      Services s = app.app().services();
      JsonObject end = load(s);
      assertThat(end.getString("state")).isEqualTo("SUCCEEDED");
      JsonObject result = end.getJsonObject("result");
      assertThat(result.getLong("retries")).isPositive();
      assertThat(result.getLong("stored")).isEqualTo(2000);
      assertThat(count(s, Collections.COVERTYPE)).isEqualTo(2000);
    }
  }

  @Test
  @DisplayName("a feed that stays unreachable fails the load after the configured attempts, with the error recorded")
  void givesUp() throws Exception {
    int closed = JvmProcess.freePort();
    JsonObject cfg = new JsonObject().put("feed", feed(2, 0, 10)
        .put("url", "http://127.0.0.1:" + closed)
        .put("retry", new JsonObject().put("maxAttempts", 3).put("initialBackoffMs", 10).put("maxBackoffMs", 20)));
    try (TestApp app = TestApp.start(EnumSet.of(Role.FEEDER), cfg)) {
      JsonObject end = load(app.app().services());
      assertThat(end.getString("state")).isEqualTo("FAILED");
      assertThat(end.getString("error")).contains("failed 3 times").contains("feed status");
      assertThat(end.getJsonObject("detail").getLong("retries")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("a load left RUNNING by a process that died is resumed when the feeder starts again")
  void resumesAfterCrash(@TempDir Path dir) throws Exception {
    JsonObject cfg = new JsonObject().put("dataDir", dir.toString())
        .put("mongo", new JsonObject().put("embeddedBackend", "h2"))
        .put("feed", feed(4, 0, 400).put("resumeOnStart", true));
    try (TestApp first = TestApp.start(EnumSet.of(Role.FEEDER), cfg)) {
      Services s = first.app().services();
      // what a killed process leaves behind: a job saved as running, nobody answering for it, half the rows stored
      await(s.mongo().insert(Collections.JOBS, new JsonObject().put("jobId", "dead-feeder-job")
          .put("kind", BatchFeederVerticle.JOB_KIND).put("state", "RUNNING").put("startedAt", "2026-01-01T00:00:00Z")));
      FeedSource source = FeedSource.synthetic(42, 400);
      await(new CovertypeWriter(s.mongo(), 100, 1).write(
          BatchRows.prepare(source.fingerprint(), 0, 0, source.rows().subList(0, 150))));
    }
    try (TestApp second = TestApp.start(EnumSet.of(Role.FEEDER), cfg)) {
      Services s = second.app().services();
      JsonObject resumed = null;
      for (int i = 0; i < 200 && resumed == null; i++) {
        List<JsonObject> jobs = await(s.mongo().find(Collections.JOBS, new JsonObject()
            .put("params.resumedFrom", "dead-feeder-job")));
        resumed = jobs.isEmpty() ? null : jobs.get(0);
        Thread.sleep(50);
      }
      assertThat(resumed).as("a resumed load job").isNotNull();
      JsonObject end = await(s.jobs().awaitFinished(resumed.getString("jobId"), 50));
      assertThat(end.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(end.getJsonObject("result").getLong("inserted")).isEqualTo(250);
      assertThat(end.getJsonObject("result").getLong("existing")).isEqualTo(150);
      assertThat(count(s, Collections.COVERTYPE)).isEqualTo(400);
      JsonObject dead = await(s.mongo().findOne(Collections.JOBS, new JsonObject().put("jobId", "dead-feeder-job"),
          null));
      assertThat(dead.getString("state")).isEqualTo("FAILED");
    }
  }
}
