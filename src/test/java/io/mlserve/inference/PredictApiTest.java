package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static io.mlserve.inference.InferenceFixtures.EXAMPLE_ROW;
import static io.mlserve.inference.InferenceFixtures.assertPredicts;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /predict and GET /models against real ONNX sessions of fixture forests (selection left unchanged). */
@ExtendWith(VertxExtension.class)
class PredictApiTest {
  private static TestApp app;
  private static TestModels.Model v1;
  private static TestModels.Model v2;
  private static TestModels.Model other;

  @BeforeAll
  static void start() throws Exception {
    Path models = Files.createTempDirectory("mlserve-models");
    v1 = InferenceFixtures.write(models, "modelo1", 1, 11, 15);
    v2 = InferenceFixtures.write(models, "modelo1", 2, 22, 15);
    other = InferenceFixtures.write(models, "other", 1, 33, 15);
    InferenceFixtures.writeNarrow(models, "narrow");
    app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE),
        new JsonObject().put("models", new JsonObject().put("dir", models.toString()))
            // a short deliberate wait makes coalescing certain in the batching test whatever the machine's speed
            .put("inference", new JsonObject().put("maxWaitMicros", 1000)));
  }

  /** Generated rows without their label: what a client sends. */
  static List<Map<String, Object>> features(List<Map<String, Object>> labelled) {
    return labelled.stream().map(r -> {
      Map<String, Object> copy = new java.util.LinkedHashMap<>(r);
      copy.remove("Cover_Type");
      return copy;
    }).toList();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  @DisplayName("one row: the production version of the default model answers with Cover_Type and probabilities")
  void singleRow(Vertx vertx, VertxTestContext ctx) {
    post(WebClient.create(vertx), app.port(), "/predict", EXAMPLE_ROW).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getString("model")).isEqualTo("modelo1");
      assertThat(body.getInteger("version")).isEqualTo(2);
      assertThat(body.getJsonArray("predictions")).hasSize(1);
      assertPredicts(v2, EXAMPLE_ROW, body.getJsonArray("predictions").getJsonObject(0));
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("an array of 2,500 rows: every prediction equals the forest's, in order")
  void arrayMatchesForest(Vertx vertx, VertxTestContext ctx) {
    List<Map<String, Object>> rows = features(new CovertypeGenerator(5).rows(2500));
    post(WebClient.create(vertx), app.port(), "/predict", rows).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonArray predictions = r.bodyAsJsonObject().getJsonArray("predictions");
      assertThat(predictions).hasSize(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        assertPredicts(v2, rows.get(i), predictions.getJsonObject(i));
      }
      ctx.completeNow();
    })));
  }

  private static JsonObject row(Object... changes) {
    JsonObject row = new JsonObject(new java.util.LinkedHashMap<>(EXAMPLE_ROW));
    for (int i = 0; i < changes.length; i += 2) {
      if (changes[i + 1] == REMOVE) {
        row.remove((String) changes[i]);
      } else {
        row.put((String) changes[i], changes[i + 1]);
      }
    }
    return row;
  }

  private static final Object REMOVE = new Object();

  /** A bad body, the field the 422 must name, and a fragment of its detail. */
  private record Case(String name, Object body, String field, String detail) {
  }

  @Test
  @DisplayName("validation corpus: every kind of bad row is a 422 naming the field (and the index in arrays)")
  void validationCorpus(Vertx vertx) throws Exception {
    WebClient c = WebClient.create(vertx);
    List<Case> cases = List.of(
        new Case("missing field", row("Slope", REMOVE), "Slope", "missing field Slope"),
        new Case("extra field", row("Colour", "green"), "Colour", "unknown field 'Colour'"),
        new Case("label sent", row("Cover_Type", 2), "Cover_Type", "unknown field"),
        new Case("string for a number", row("Elevation", "2596"), "Elevation", "must be an integer"),
        new Case("null number", row("Elevation", null), "Elevation", "must be an integer"),
        new Case("boolean", row("Hillshade_9am", true), "Hillshade_9am", "must be an integer"),
        new Case("object for a number", row("Slope", new JsonObject().put("a", 1)), "Slope", "an object"),
        new Case("fraction", row("Slope", 3.5), "Slope", "must be an integer"),
        new Case("Aspect above 360", row("Aspect", 361), "Aspect", "between 0 and 360"),
        new Case("Aspect negative", row("Aspect", -1), "Aspect", "between 0 and 360"),
        new Case("Slope above 90", row("Slope", 91), "Slope", "between 0 and 90"),
        new Case("Hillshade above 255", row("Hillshade_Noon", 256), "Hillshade_Noon", "between 0 and 255"),
        new Case("number for a category", row("Soil_Type", 7745), "Soil_Type", "must be a string"),
        new Case("unknown wilderness", row("Wilderness_Area", "Yosemite"), "Wilderness_Area", "unknown"),
        new Case("unknown soil", row("Soil_Type", "C9999"), "Soil_Type", "unknown Soil_Type 'C9999'"),
        new Case("not a row", "hello", "body", "expected one object"),
        new Case("empty array", new JsonArray(), "body", "empty"),
        new Case("array element not an object", new JsonArray().add(row()).add(42), "body", "element 1"),
        new Case("bad row in an array", new JsonArray().add(row()).add(row()).add(row("Aspect", 400)), "Aspect",
            "row 2"));
    for (Case k : cases) {
      var r = InferenceFixtures.await(post(c, app.port(), "/predict", k.body()));
      assertThat(r.statusCode()).as(k.name() + ": " + r.bodyAsString()).isEqualTo(422);
      JsonObject e = r.bodyAsJsonObject();
      assertThat(e.getString("error")).as(k.name()).isEqualTo("validation failed");
      assertThat(e.getString("field")).as(k.name()).isEqualTo(k.field());
      assertThat(e.getString("detail")).as(k.name()).contains(k.detail());
    }
    var arrayErr = InferenceFixtures.await(post(c, app.port(), "/predict", cases.get(cases.size() - 1).body()));
    assertThat(arrayErr.bodyAsJsonObject().getInteger("index")).isEqualTo(2);
    var soil = InferenceFixtures.await(post(c, app.port(), "/predict", row("Soil_Type", "C9999")));
    assertThat(soil.bodyAsJsonObject().getJsonArray("allowed").getList()).hasSize(40).contains("C7745");
    var wild = InferenceFixtures.await(post(c, app.port(), "/predict", row("Wilderness_Area", "X")));
    assertThat(wild.bodyAsJsonObject().getJsonArray("allowed").getList())
        .containsExactly("Rawah", "Neota", "Commanche", "Cache");
  }

  @Test
  @DisplayName("non-finite numbers, malformed JSON and arrays over the limit are refused with a JSON error")
  void limitsAndMalformed(Vertx vertx) throws Exception {
    WebClient c = WebClient.create(vertx);
    String huge = row().encode().replace("\"Elevation\":2596", "\"Elevation\":1e400");
    var inf = InferenceFixtures.await(post(c, app.port(), "/predict", io.vertx.core.buffer.Buffer.buffer(huge)));
    assertThat(inf.statusCode()).as(inf.bodyAsString()).isEqualTo(422);
    assertThat(inf.bodyAsJsonObject().getString("field")).isEqualTo("Elevation");
    assertThat(inf.bodyAsJsonObject().getString("detail")).contains("finite");
    String nan = row().encode().replace("\"Elevation\":2596", "\"Elevation\":NaN");
    var bad = InferenceFixtures.await(post(c, app.port(), "/predict", io.vertx.core.buffer.Buffer.buffer(nan)));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("detail")).contains("malformed JSON");
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 10_001; i++) {
      tooMany.add(EXAMPLE_ROW);
    }
    var over = InferenceFixtures.await(post(c, app.port(), "/predict", tooMany));
    assertThat(over.statusCode()).isEqualTo(422);
    assertThat(over.bodyAsJsonObject().getString("detail")).contains("at most 10000 rows");
    assertThat(over.bodyAsJsonObject().getInteger("limit")).isEqualTo(10_000);
    JsonArray atLimit = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      atLimit.add(EXAMPLE_ROW);
    }
    var ok = InferenceFixtures.await(post(c, app.port(), "/predict", atLimit));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getJsonArray("predictions")).hasSize(10_000);
  }

  @Test
  @DisplayName("?model= overrides the selection per request: a name (its production version) or name:version")
  void modelOverride(Vertx vertx) throws Exception {
    WebClient c = WebClient.create(vertx);
    var byName = InferenceFixtures.await(post(c, app.port(), "/predict?model=other", EXAMPLE_ROW)).bodyAsJsonObject();
    assertThat(byName.getString("model")).isEqualTo("other");
    assertThat(byName.getInteger("version")).isEqualTo(1);
    assertPredicts(other, EXAMPLE_ROW, byName.getJsonArray("predictions").getJsonObject(0));
    var pinned = InferenceFixtures.await(post(c, app.port(), "/predict?model=modelo1:1", List.of(EXAMPLE_ROW)))
        .bodyAsJsonObject();
    assertThat(pinned.getInteger("version")).isEqualTo(1);
    assertPredicts(v1, EXAMPLE_ROW, pinned.getJsonArray("predictions").getJsonObject(0));
    var unknown = InferenceFixtures.await(post(c, app.port(), "/predict?model=nosuch", EXAMPLE_ROW));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonArray("known").getList()).containsExactly("modelo1", "narrow", "other");
    var noVersion = InferenceFixtures.await(post(c, app.port(), "/predict?model=modelo1:9", EXAMPLE_ROW));
    assertThat(noVersion.statusCode()).isEqualTo(404);
    assertThat(noVersion.bodyAsJsonObject().getJsonArray("versions").getList()).containsExactly(1, 2);
    var malformed = InferenceFixtures.await(post(c, app.port(), "/predict?model=../etc", EXAMPLE_ROW));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.bodyAsJsonObject().getString("field")).isEqualTo("model");
    // the selection did not move
    var plain = InferenceFixtures.await(post(c, app.port(), "/predict", EXAMPLE_ROW)).bodyAsJsonObject();
    assertThat(plain.getInteger("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("GET /models lists every model with versions, stages, metrics, and what is selected and loaded")
  void listModels(Vertx vertx) throws Exception {
    var r = InferenceFixtures.await(WebClient.create(vertx).get(app.port(), "127.0.0.1", "/models").send());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    JsonArray models = body.getJsonArray("models");
    assertThat(models.stream().map(m -> ((JsonObject) m).getString("name")))
        .containsExactly("modelo1", "narrow", "other");
    JsonObject modelo1 = models.getJsonObject(0);
    assertThat(modelo1.getInteger("production")).isEqualTo(2);
    JsonArray versions = modelo1.getJsonArray("versions");
    assertThat(versions).hasSize(2);
    JsonObject first = versions.getJsonObject(0);
    JsonObject second = versions.getJsonObject(1);
    assertThat(first.getInteger("version")).isEqualTo(1);
    assertThat(first.getString("stage")).isEqualTo("none");
    assertThat(first.getBoolean("selected")).isFalse();
    assertThat(second.getString("stage")).isEqualTo("production");
    assertThat(second.getJsonArray("aliases").getList()).containsExactly("production");
    assertThat(second.getJsonObject("metrics").getDouble("accuracy")).isEqualTo(0.52);
    assertThat(second.getBoolean("selected")).isTrue();
    assertThat(second.getBoolean("loaded")).isTrue();
    JsonObject selected = body.getJsonObject("selected");
    assertThat(selected.getString("model_name")).isEqualTo("modelo1");
    assertThat(selected.getBoolean("followsProduction")).isTrue();
    assertThat(selected.getBoolean("loaded")).isTrue();
    assertThat(selected.getInteger("servingVersion")).isEqualTo(2);
    assertThat(body.getString("defaultModel")).isEqualTo("modelo1");
  }

  @Test
  @DisplayName("a category the serving model lacks (per its metadata.json) is a 422 from the engine, not a 500")
  void modelSpecificCategories(Vertx vertx) throws Exception {
    var r = InferenceFixtures.await(post(WebClient.create(vertx), app.port(), "/predict?model=narrow",
        new JsonArray().add(row("Soil_Type", "C2702")).add(row())));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(422);
    JsonObject e = r.bodyAsJsonObject();
    assertThat(e.getString("field")).isEqualTo("Soil_Type");
    assertThat(e.getInteger("index")).isEqualTo(1);
    assertThat(e.getJsonArray("allowed").getList()).contains("C0000").doesNotContain("C7745");
  }

  @Test
  @DisplayName("micro-batching: 300 concurrent single-row requests are served by fewer ORT runs (batch size > 1)")
  void batchesUnderConcurrency(Vertx vertx) throws Exception {
    WebClient c = WebClient.create(vertx);
    double[] before = InferenceFixtures.batchSize(InferenceFixtures.await(
        c.get(app.port(), "127.0.0.1", "/metrics").send()).bodyAsString());
    List<Integer> statuses = InferenceFixtures.singles(c, app.port(), 300, 32);
    assertThat(statuses).hasSize(300).containsOnly(200);
    String scrape = InferenceFixtures.await(c.get(app.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
    double[] after = InferenceFixtures.batchSize(scrape);
    assertThat(after[0] - before[0]).as("rows run").isEqualTo(300);
    assertThat(after[1] - before[1]).as("ORT runs").isLessThan(300);
    assertThat(scrape).contains("mlserve_predict_latency_seconds_bucket{model=\"modelo1\"")
        .contains("mlserve_predict_requests_total{model=\"modelo1\",version=\"2\"}")
        .contains("mlserve_predict_coalesced_requests_count");
  }

  @Test
  @DisplayName("inference.predict over the bus in its JSON form (another process) validates rows itself")
  void busJsonForm() throws Exception {
    var vertx = app.app().vertx();
    JsonArray rows = new JsonArray().add(row()).add(row("Slope", 95));
    Throwable t = InferenceFixtures.await(io.mlserve.bus.Bus.request(vertx, InferenceVerticle.PREDICT,
        new JsonObject().put("rows", rows), 5000).map(x -> (Throwable) null).recover(io.vertx.core.Future::succeededFuture));
    assertThat(t).isInstanceOf(io.mlserve.common.ApiError.class);
    io.mlserve.common.ApiError e = (io.mlserve.common.ApiError) t;
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.field()).isEqualTo("Slope");
    assertThat(e.toJson().getInteger("index")).isEqualTo(1);
    io.vertx.core.buffer.Buffer ok = InferenceFixtures.await(vertx.eventBus().<io.vertx.core.buffer.Buffer>request(
        InferenceVerticle.PREDICT, new JsonObject().put("rows", new JsonArray().add(row())))).body();
    assertThat(new JsonObject(ok).getJsonArray("predictions")).hasSize(1);
  }

  @Test
  @DisplayName("coalesced single rows (default model, ?model= overrides, a row one model rejects): each answer is "
      + "its own")
  void coalescedAnswersAreTheirOwn(Vertx vertx) throws Exception {
    WebClient c = WebClient.create(vertx);
    List<Map<String, Object>> rows = features(new CovertypeGenerator(9).rows(240));
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<String> problems = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    List<io.vertx.core.Future<Void>> lanes = new java.util.ArrayList<>();
    for (int l = 0; l < 32; l++) {
      lanes.add(lane(c, rows, next, problems));
    }
    InferenceFixtures.await(io.vertx.core.Future.all(lanes));
    assertThat(problems).isEmpty();
    assertThat(next.get()).isGreaterThanOrEqualTo(rows.size());
  }

  /** Request i: every 5th asks for ?model=other, every 7th for ?model=narrow with a soil type it lacks (422). */
  private static io.vertx.core.Future<Void> lane(WebClient c, List<Map<String, Object>> rows,
      java.util.concurrent.atomic.AtomicInteger next, List<String> problems) {
    int i = next.getAndIncrement();
    if (i >= rows.size()) {
      return io.vertx.core.Future.succeededFuture();
    }
    boolean rejected = i % 7 == 0;
    String uri = rejected ? "/predict?model=narrow" : i % 5 == 0 ? "/predict?model=other" : "/predict";
    Map<String, Object> row = rejected ? row("Soil_Type", "C7745").getMap() : rows.get(i);
    return post(c, app.port(), uri, row).compose(r -> {
      try {
        if (rejected) {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(422);
          assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("Soil_Type");
        } else {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          JsonObject body = r.bodyAsJsonObject();
          assertThat(body.getString("model")).isEqualTo(i % 5 == 0 ? "other" : "modelo1");
          assertPredicts(i % 5 == 0 ? other : v2, row, body.getJsonArray("predictions").getJsonObject(0));
        }
      } catch (AssertionError e) {
        problems.add("request " + i + ": " + e.getMessage());
      }
      return lane(c, rows, next, problems);
    });
  }

  @Test
  @DisplayName("inference.predict.batch from another process: each request is validated and answered on its own")
  void busBatchForm() throws Exception {
    var vertx = app.app().vertx();
    PredictBatch batch = new PredictBatch(null, List.of(List.of(row().getMap()), List.of(row("Slope", 95).getMap()),
        List.of(row().getMap(), row("Elevation", 3100).getMap())), false);
    PredictOutcomes reply = InferenceFixtures.await(vertx.eventBus().<PredictOutcomes>request(
        InferenceVerticle.PREDICT_BATCH, batch)).body();
    assertThat(reply.outcomes()).hasSize(3);
    assertPredicts(v2, EXAMPLE_ROW, new JsonObject(new String(PredictionFormat.json(reply.outcomes().get(0)
        .predictions(), reply.outcomes().get(0).target()), java.nio.charset.StandardCharsets.UTF_8))
        .getJsonArray("predictions").getJsonObject(0));
    io.mlserve.common.ApiError e = reply.outcomes().get(1).error();
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.field()).isEqualTo("Slope");
    assertThat(reply.outcomes().get(2).predictions().rows()).isEqualTo(2);
    assertThat(reply.outcomes().get(2).predictions().version()).isEqualTo(2);
  }
}
