package io.mlserve.train;

import io.mlserve.app.Role;
import io.mlserve.app.Services;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The trainer role end to end: real embedded MongoDB, real Redis, the HTTP API and the event bus. */
@ExtendWith(VertxExtension.class)
class TrainerIntegrationTest {
  private static TestApp app;
  private static Services services;
  private static WebClient http;
  private static ModelRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    JsonObject train = new JsonObject()
        .put("defaults", new JsonObject().put("trees", 15))
        .put("search", new JsonObject().put("strategy", "grid").put("trees", new JsonArray().add(5).add(10))
            .put("maxDepth", new JsonArray().add(0).add(6)).put("mtry", new JsonArray().add(0))
            .put("nodeSize", new JsonArray().add(1)));
    app = TestApp.start(EnumSet.of(Role.API, Role.TRAINER), new JsonObject().put("train", train));
    services = app.app().services();
    http = WebClient.create(services.vertx());
    registry = TrainerVerticle.registry(services);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return await(http.postAbs(app.url(path)).sendJsonObject(body));
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return await(http.getAbs(app.url(path)).send());
  }

  /** Replaces the covertype rows with {@code n} synthetic ones carrying feeder-style bookkeeping fields. */
  private static void loadRows(int n, long seed) throws Exception {
    loadRows(services, n, seed);
  }

  private static void loadRows(Services services, int n, long seed) throws Exception {
    await(services.mongo().removeDocuments(Collections.COVERTYPE, new JsonObject()));
    if (n == 0) {
      return;
    }
    List<BulkOperation> ops = new ArrayList<>();
    int i = 0;
    for (Map<String, Object> row : new CovertypeGenerator(seed).rows(n)) {
      ops.add(BulkOperation.createInsert(new JsonObject(row).put("batch", i % 10).put("rowHash", seed + "-" + i++)));
    }
    await(services.mongo().bulkWrite(Collections.COVERTYPE, ops));
  }

  private static JsonObject runJob(JsonObject request) throws Exception {
    HttpResponse<Buffer> started = post("/train", request);
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    return await(services.jobs().awaitFinished(started.bodyAsJsonObject().getString("jobId"), 100));
  }

  @Test
  @DisplayName("with no rows the job fails with a clear message, and no model or experiment appears")
  void noData() throws Exception {
    loadRows(0, 0);
    JsonObject job = runJob(new JsonObject().put("mode", "train"));
    assertThat(job.getString("state")).isEqualTo("FAILED");
    assertThat(job.getString("error")).isEqualTo("no training data: run the pipeline load step first");
    assertThat(get("/experiments?jobId=" + job.getString("jobId")).bodyAsJsonObject().getJsonArray("experiments"))
        .isEmpty();
  }

  @Test
  @DisplayName("bad requests are 4xx naming the field: mode, params, unknown keys, filters, unknown run id")
  void validation() throws Exception {
    HttpResponse<Buffer> r = post("/train", new JsonObject().put("mode", "fit"));
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("mode");
    r = post("/train", new JsonObject().put("params", new JsonObject().put("trees", "many")));
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("params.trees");
    r = post("/train", new JsonObject().put("params", new JsonObject().put("trees", 0)));
    assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("params.trees");
    r = post("/train", new JsonObject().put("params", new JsonObject().put("depth", 3)));
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("unknown parameter 'depth'");
    r = await(http.postAbs(app.url("/train")).putHeader("content-type", "application/json")
        .sendBuffer(Buffer.buffer("{oops")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(get("/experiments?status=done").statusCode()).isEqualTo(400);
    assertThat(get("/experiments?limit=0").bodyAsJsonObject().getString("field")).isEqualTo("limit");
    HttpResponse<Buffer> missing = get("/experiments/no-such-run");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("not found");
  }

  @Test
  @DisplayName("train: an experiment is stored, the model is exported, registered and promoted over a worse"
      + " production model; retraining to the same score registers without promoting")
  void trainRegistersAndPromotes(VertxTestContext ctx) throws Exception {
    loadRows(1500, 21);
    TestModels.Model weak = TestModels.randomForest("modelo1", 99, 3);
    JsonObject weakDoc = await(registry.register(weak.metadata(), weak.onnx()));
    await(registry.promote("modelo1", weakDoc.getInteger("version")));
    var changed = ctx.checkpoint();
    services.vertx().eventBus().<JsonObject>consumer(ModelRegistry.CHANGED_ADDRESS, m -> {
      if (m.body().getInteger("version") == weakDoc.getInteger("version") + 1) {
        changed.flag();
      }
    });

    JsonObject job = runJob(new JsonObject().put("mode", "train"));
    assertThat(job.getString("state")).as(job.encode()).isEqualTo("SUCCEEDED");
    assertThat(job.getLong("processed")).isEqualTo(15);
    JsonObject result = job.getJsonObject("result");
    JsonObject model = result.getJsonObject("model");
    assertThat(model.getBoolean("promoted")).as(model.encode()).isTrue();
    assertThat(model.getString("reason")).contains("beats production version " + weakDoc.getInteger("version"));
    int version = model.getInteger("version");
    assertThat(await(registry.production("modelo1")).getInteger("version")).isEqualTo(version);
    assertThat(ctx.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();

    ModelMetadata meta = await(registry.metadata("modelo1", version));
    assertThat(meta.toJson().getJsonObject("data").getInteger("rows")).isEqualTo(1500);
    assertThat(meta.toJson().getJsonObject("data").getString("hash")).startsWith("sum64:");
    assertThat(meta.encoding().width()).isEqualTo(54);
    assertThat(meta.classes()).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(Files.size(registry.modelFile("modelo1", version))).isGreaterThan(1000);

    String runId = result.getString("bestRunId");
    JsonObject experiment = get("/experiments/" + runId).bodyAsJsonObject();
    assertThat(experiment.getString("status")).isEqualTo("succeeded");
    assertThat(experiment.getJsonObject("params").getInteger("trees")).isEqualTo(15);
    JsonObject metrics = experiment.getJsonObject("metrics");
    assertThat(metrics.getDouble("accuracy")).isBetween(0.5, 1.0);
    assertThat(metrics.getJsonArray("confusionMatrix")).hasSize(7);
    assertThat(metrics.getJsonObject("perClassRecall").fieldNames()).contains("1", "2");
    assertThat(experiment.getJsonObject("data").getInteger("testRows")).isEqualTo(300);
    assertThat(experiment.getLong("durationMs")).isPositive();
    assertThat(experiment.getJsonObject("model").getInteger("version")).isEqualTo(version);
    String prometheus = get("/metrics").bodyAsString();
    assertThat(prometheus).contains("mlserve_train_experiments_total{status=\"succeeded\"}")
        .contains("mlserve_train_trees_total");

    JsonObject again = runJob(new JsonObject().put("mode", "train")).getJsonObject("result").getJsonObject("model");
    assertThat(again.getBoolean("promoted")).isFalse();
    assertThat(again.getString("reason")).contains("does not beat production version " + version);
    assertThat(await(registry.get("modelo1", again.getInteger("version"))).getString("stage")).isEqualTo("none");
    assertThat(await(registry.production("modelo1")).getInteger("version")).isEqualTo(version);
  }

  @Test
  @DisplayName("tune: every candidate of the search is an experiment of the job, the best one is registered")
  void tune() throws Exception {
    loadRows(1200, 22);
    JsonObject job = runJob(new JsonObject().put("mode", "tune"));
    assertThat(job.getString("state")).as(job.encode()).isEqualTo("SUCCEEDED");
    assertThat(job.getLong("total")).isEqualTo(5 + 5 + 10 + 10);
    JsonObject result = job.getJsonObject("result");
    assertThat(result.getJsonArray("experiments")).hasSize(4);
    JsonArray listed = get("/experiments?jobId=" + job.getString("jobId")).bodyAsJsonObject()
        .getJsonArray("experiments");
    assertThat(listed).hasSize(4);
    double best = listed.stream().map(JsonObject.class::cast)
        .mapToDouble(e -> e.getJsonObject("metrics").getDouble("accuracy")).max().orElseThrow();
    assertThat(result.getJsonObject("metrics").getDouble("accuracy")).isCloseTo(best,
        org.assertj.core.data.Offset.offset(1e-6));
    assertThat(listed.stream().map(JsonObject.class::cast).map(e -> e.getJsonObject("data").getString("hash"))
        .distinct()).hasSize(1);
    for (Object o : listed) {
      JsonObject e = (JsonObject) o;
      JsonObject m = e.getJsonObject("metrics");
      assertThat(m.getDouble("macroF1")).as(e.encode()).isBetween(0.0, 1.0);
      JsonArray confusion = m.getJsonArray("confusionMatrix");
      long scored = confusion.stream().flatMap(r -> ((JsonArray) r).stream()).mapToLong(v -> ((Number) v).longValue())
          .sum();
      assertThat(scored).as("confusion matrix covers the test split").isBetween(200L, 300L);
      assertThat(m.getValue("perClassRecall")).isNotNull();
      assertThat(e.getLong("durationMs")).isPositive();
    }
    // runs overlap (the search is parallel) but never more than train.poolSize (2) at once
    List<long[]> spans = listed.stream().map(JsonObject.class::cast).map(e -> new long[] {e.getLong("startedAtMs"),
        java.time.Instant.parse(e.getString("finishedAt")).toEpochMilli()}).toList();
    int maxAtOnce = 0;
    for (long[] a : spans) {
      int atOnce = (int) spans.stream().filter(b -> b[0] <= a[0] && a[0] < b[1]).count();
      maxAtOnce = Math.max(maxAtOnce, atOnce);
    }
    assertThat(maxAtOnce).as("experiments running at once").isBetween(1, 2);
    assertThat(get("/experiments?mode=tune&limit=2").bodyAsJsonObject().getJsonArray("experiments")).hasSize(2);
    List<Long> starts = get("/experiments").bodyAsJsonObject().getJsonArray("experiments").stream()
        .map(e -> ((JsonObject) e).getLong("startedAtMs")).toList();
    assertThat(starts).hasSizeGreaterThanOrEqualTo(4).isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  @Test
  @DisplayName("cancelling a training job halfway marks its experiment cancelled, registers nothing and keeps"
      + " the production model")
  void cancel() throws Exception {
    loadRows(2000, 23);
    TestModels.Model prod = TestModels.randomForest("modelo1", 7, 2);
    JsonObject prodDoc = await(registry.register(prod.metadata(), prod.onnx()));
    await(registry.promote("modelo1", prodDoc.getInteger("version")));
    int versionsBefore = await(registry.list()).size();

    HttpResponse<Buffer> started = post("/train", new JsonObject().put("params", new JsonObject().put("trees", 2000)));
    String jobId = started.bodyAsJsonObject().getString("jobId");
    JsonObject status = await(services.jobs().status(jobId));
    for (int i = 0; i < 600 && !(status.getString("phase").startsWith("training") && status.getLong("processed") >= 2);
         i++) {
      Thread.sleep(20);
      status = await(services.jobs().status(jobId));
    }
    assertThat(status.getString("phase")).startsWith("training");
    assertThat(await(http.deleteAbs(app.url("/jobs/" + jobId)).send()).statusCode()).isEqualTo(200);
    JsonObject done = await(services.jobs().awaitFinished(jobId, 100));
    assertThat(done.getString("state")).isEqualTo("CANCELLED");
    assertThat(done.getLong("processed")).isLessThan(2000);

    JsonArray experiments = get("/experiments?jobId=" + jobId).bodyAsJsonObject().getJsonArray("experiments");
    assertThat(experiments).hasSize(1);
    assertThat(experiments.getJsonObject(0).getString("status")).isEqualTo("cancelled");
    assertThat(await(registry.list())).hasSize(versionsBefore);
    assertThat(await(registry.production("modelo1")).getInteger("version")).isEqualTo(prodDoc.getInteger("version"));
  }

  @Test
  @DisplayName("a forest on course to exceed train.maxModelNodes stops after a few trees with a clear error")
  void oversizedForestFailsFast() throws Exception {
    try (TestApp small = TestApp.start(EnumSet.of(Role.API, Role.TRAINER),
        new JsonObject().put("train", new JsonObject().put("maxModelNodes", 1000)))) {
      loadRows(small.app().services(), 1500, 24);
      HttpResponse<Buffer> started = await(http.postAbs(small.url("/train"))
          .sendJsonObject(new JsonObject().put("params", new JsonObject().put("trees", 200))));
      assertThat(started.statusCode()).isEqualTo(202);
      String jobId = started.bodyAsJsonObject().getString("jobId");
      JsonObject job = await(small.app().services().jobs().awaitFinished(jobId, 100));
      assertThat(job.getString("state")).isEqualTo("FAILED");
      assertThat(job.getString("error")).contains("train.maxModelNodes (1000)");
      assertThat(job.getLong("processed")).isLessThan(20);
      JsonObject experiment = await(http.getAbs(small.url("/experiments?jobId=" + jobId)).send()).bodyAsJsonObject()
          .getJsonArray("experiments").getJsonObject(0);
      assertThat(experiment.getString("status")).isEqualTo("failed");
      assertThat(experiment.getString("error")).contains("lower maxDepth or trees");
    }
  }
}
