package io.mlserve.pipeline;

import io.mlserve.app.Role;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.jobs.Job;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pipeline runs end to end in one process (api + feeder) against the embedded MongoDB. The trainer is another
 * engineer's role; here a test consumer of {@code train.run} starts a real job through {@code services.jobs()} so
 * the orchestration (delegation, progress, failure, cancel) is exercised for real.
 */
class PipelineRunTest {
  private static TestApp app;
  private static Services services;
  private static WebClient client;
  private static MessageConsumer<JsonObject> trainer;
  /** What the test trainer's job does: (job, request) → result. */
  private static volatile BiFunction<Job, JsonObject, Future<JsonObject>> training;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.API, Role.FEEDER), new JsonObject()
        .put("feed", new JsonObject().put("batches", 3).put("intervalMs", 100).put("syntheticRows", 300)
            .put("resumeOnStart", false))
        .put("pipeline", new JsonObject().put("pollMs", 50)));
    services = app.app().services();
    client = WebClient.create(services.vertx());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @AfterEach
  void noTrainer() throws Exception {
    if (trainer != null) {
      await(trainer.unregister());
      trainer = null;
    }
    Job running = PipelineRunner.of(services).running();
    if (running != null) {
      services.jobs().cancel(running.id());
      await(services.jobs().awaitFinished(running.id(), 50));
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Registers a {@code train.run} consumer that runs {@link #training} as a job of kind train / tune. */
  static void trainerDoes(BiFunction<Job, JsonObject, Future<JsonObject>> work) {
    training = work;
    trainer = services.vertx().eventBus().consumer(PipelineRunner.TRAIN_ADDRESS, msg -> {
      JsonObject req = msg.body();
      Job job = services.jobs().start(req.getString("mode"), req, j -> training.apply(j, req));
      msg.reply(new JsonObject().put("jobId", job.id()));
    });
  }

  /** A training job that counts the stored rows it would train on, with a little progress on the way. */
  static Future<JsonObject> countRows(Job job, JsonObject req) {
    job.total(2, "phases").phase("reading rows");
    return services.mongo().count(Collections.COVERTYPE, new JsonObject())
        .compose(n -> services.vertx().timer(30).map(v -> {
          job.advance(2);
          return new JsonObject().put("mode", req.getString("mode")).put("trainedOn", n)
              .put("params", req.getJsonObject("params"));
        }));
  }

  /** A job that keeps going until it is cancelled. */
  static Future<JsonObject> endless(Job job, JsonObject req) {
    return services.vertx().executeBlocking(() -> {
      job.total(1_000_000, "steps");
      for (int i = 0; i < 1_000_000; i++) {
        job.checkCancelled();
        Thread.sleep(5);
        job.advance(1);
      }
      return new JsonObject();
    }, false);
  }

  static HttpResponse<Buffer> post(JsonObject body) throws Exception {
    var req = client.post(app.port(), "127.0.0.1", "/pipeline/run");
    return await(body == null ? req.send() : req.sendJsonObject(body));
  }

  static JsonObject get(String runId) throws Exception {
    HttpResponse<Buffer> r = await(client.get(app.port(), "127.0.0.1", "/pipeline/runs/" + runId).send());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  static JsonObject awaitEnd(String runId) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    JsonObject run = get(runId);
    while ("RUNNING".equals(run.getString("state")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      run = get(runId);
    }
    return run;
  }

  static JsonObject step(JsonObject run, String name) {
    return run.getJsonArray("steps").stream().map(o -> (JsonObject) o)
        .filter(s -> name.equals(s.getString("name"))).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("POST /pipeline/run runs clear, load, train, tune in order; GET shows each step's state, counts, timings")
  void fullRun() throws Exception {
    trainerDoes(PipelineRunTest::countRows);
    await(services.mongo().insert(Collections.COVERTYPE, new JsonObject().put("_id", "left-over")));
    HttpResponse<Buffer> started = post(new JsonObject().put("params", new JsonObject()
        .put("tune", new JsonObject().put("trials", 3))));
    assertThat(started.statusCode()).isEqualTo(202);
    String runId = started.bodyAsJsonObject().getString("runId");
    assertThat(started.getHeader("Location")).isEqualTo("/pipeline/runs/" + runId);
    assertThat(started.bodyAsJsonObject().getJsonArray("steps")).hasSize(4);

    JsonObject run = awaitEnd(runId);
    assertThat(run.getString("state")).isEqualTo("SUCCEEDED");
    assertThat(run.getString("trigger")).isEqualTo("api");
    assertThat(run.getLong("stepsDone")).isEqualTo(4);
    assertThat(run.getJsonArray("steps").stream().map(o -> ((JsonObject) o).getString("name")))
        .containsExactly("clear", "load", "train", "tune");
    for (Object o : run.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      assertThat(s.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(s.getString("startedAt")).isNotNull();
      assertThat(s.getString("finishedAt")).isNotNull();
      assertThat(s.getLong("durationMs")).isNotNegative();
    }
    assertThat(step(run, "clear").getJsonObject("result").getLong("rowsRemoved")).isEqualTo(1);
    JsonObject load = step(run, "load");
    assertThat(load.getString("jobId")).isNotBlank();
    assertThat(load.getJsonObject("result").getLong("inserted")).isEqualTo(300);
    assertThat(load.getJsonObject("progress").getLong("processed")).isEqualTo(300);
    assertThat(load.getJsonObject("progress").getJsonObject("detail").getJsonObject("batches").getInteger("loaded"))
        .isEqualTo(3);
    // train ran after the load finished: it saw every row
    assertThat(step(run, "train").getJsonObject("result").getLong("trainedOn")).isEqualTo(300);
    assertThat(step(run, "tune").getJsonObject("result").getJsonObject("params").getInteger("trials")).isEqualTo(3);
    assertThat(await(services.mongo().count(Collections.COVERTYPE, new JsonObject()))).isEqualTo(300);

    JsonObject list = await(client.get(app.port(), "127.0.0.1", "/pipeline/runs").send()).bodyAsJsonObject();
    assertThat(list.getJsonArray("runs").stream().map(o -> ((JsonObject) o).getString("runId"))).contains(runId);
  }

  @Test
  @DisplayName("a failing step stops the run there: its error is recorded, later steps are skipped")
  void failingStep() throws Exception {
    trainerDoes((job, req) -> Future.failedFuture(ApiError.unprocessable("rows", "need at least 100 rows")));
    String runId = post(new JsonObject().put("steps", new JsonArray().add("train").add("tune")))
        .bodyAsJsonObject().getString("runId");
    JsonObject run = awaitEnd(runId);
    assertThat(run.getString("state")).isEqualTo("FAILED");
    assertThat(run.getString("error")).contains("step 'train' failed").contains("need at least 100 rows");
    assertThat(step(run, "train").getString("state")).isEqualTo("FAILED");
    assertThat(step(run, "train").getString("error")).contains("need at least 100 rows");
    assertThat(step(run, "tune").getString("state")).isEqualTo("SKIPPED");
  }

  @Test
  @DisplayName("with no trainer deployed the train step fails with the event bus's 503 and the run stops")
  void noTrainer503() throws Exception {
    String runId = post(new JsonObject().put("steps", new JsonArray().add("train")))
        .bodyAsJsonObject().getString("runId");
    JsonObject run = awaitEnd(runId);
    assertThat(run.getString("state")).isEqualTo("FAILED");
    assertThat(step(run, "train").getString("error")).contains("train.run").contains("start the role");
  }

  @Test
  @DisplayName("DELETE /pipeline/runs/{id} cancels the run and the trainer job its step waits for; 409 while busy")
  void cancel() throws Exception {
    trainerDoes(PipelineRunTest::endless);
    String runId = post(new JsonObject().put("steps", new JsonArray().add("train").add("tune")))
        .bodyAsJsonObject().getString("runId");
    JsonObject run = get(runId);
    for (int i = 0; i < 200 && step(run, "train").getString("jobId") == null; i++) {
      Thread.sleep(20);
      run = get(runId);
    }
    String childId = step(run, "train").getString("jobId");
    assertThat(childId).isNotNull();

    HttpResponse<Buffer> busy = post(null);
    assertThat(busy.statusCode()).isEqualTo(409);
    assertThat(busy.bodyAsJsonObject().getString("runId")).isEqualTo(runId);

    HttpResponse<Buffer> cancelled = await(client.delete(app.port(), "127.0.0.1", "/pipeline/runs/" + runId).send());
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getBoolean("cancelRequested")).isTrue();
    run = awaitEnd(runId);
    assertThat(run.getString("state")).isEqualTo("CANCELLED");
    assertThat(step(run, "train").getString("state")).isEqualTo("CANCELLED");
    assertThat(step(run, "tune").getString("state")).isEqualTo("SKIPPED");
    assertThat(await(services.jobs().awaitFinished(childId, 50)).getString("state")).isEqualTo("CANCELLED");
    assertThat(await(client.delete(app.port(), "127.0.0.1", "/pipeline/runs/" + runId).send()).statusCode())
        .isEqualTo(409);
  }

  @Test
  @DisplayName("bad requests get 400/404/422 naming the field; a job that is not a run is a 404")
  void validation() throws Exception {
    assertUnprocessable(new JsonObject().put("steps", "load"), "steps", null);
    assertUnprocessable(new JsonObject().put("steps", new JsonArray().add("tune").add("train")), "steps", 1);
    assertUnprocessable(new JsonObject().put("steps", new JsonArray().add("load").add("load")), "steps", 1);
    assertUnprocessable(new JsonObject().put("steps", new JsonArray().add("deploy")), "steps", 0);
    assertUnprocessable(new JsonObject().put("steps", new JsonArray()), "steps", null);
    assertUnprocessable(new JsonObject().put("stpes", new JsonArray()), "stpes", null);
    assertUnprocessable(new JsonObject().put("steps", new JsonArray().add("train"))
        .put("params", new JsonObject().put("tune", new JsonObject())), "params.tune", null);
    assertUnprocessable(new JsonObject().put("params", new JsonObject().put("load", new JsonObject())),
        "params.load", null);
    HttpResponse<Buffer> malformed = await(client.post(app.port(), "127.0.0.1", "/pipeline/run")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"steps\": [")));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(await(client.get(app.port(), "127.0.0.1", "/pipeline/runs/no-such-run").send()).statusCode())
        .isEqualTo(404);
    Job other = services.jobs().start("not.a.pipeline", null, j -> Future.succeededFuture(new JsonObject()));
    assertThat(await(client.get(app.port(), "127.0.0.1", "/pipeline/runs/" + other.id()).send()).statusCode())
        .isEqualTo(404);
    assertThat(await(client.delete(app.port(), "127.0.0.1", "/pipeline/runs/" + other.id()).send()).statusCode())
        .isEqualTo(404);
    assertThat(await(client.get(app.port(), "127.0.0.1", "/pipeline/runs/bad$id").send()).statusCode())
        .isEqualTo(400);
  }

  private static void assertUnprocessable(JsonObject body, String field, Integer index) throws Exception {
    HttpResponse<Buffer> r = post(body);
    assertThat(r.statusCode()).as(body.encode()).isEqualTo(422);
    JsonObject e = r.bodyAsJsonObject();
    assertThat(e.getString("field")).isEqualTo(field);
    assertThat(e.getString("detail")).isNotBlank();
    assertThat(e.getInteger("index")).isEqualTo(index);
  }
}
