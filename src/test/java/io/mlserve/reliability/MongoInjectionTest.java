package io.mlserve.reliability;

import io.mlserve.api.QueryParams;
import io.mlserve.app.Role;
import io.mlserve.common.ApiError;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static io.mlserve.inference.InferenceFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every place where a client's id, name or filter reaches a MongoDB query: a query operator in its place (JSON
 * object, {@code $}-prefixed string, a {@code param[$op]} query key) is refused with 400/422 naming the field, before
 * any query runs, and nothing is read or written.
 */
class MongoInjectionTest {
  private static final String GT = "{\"$gt\": \"\"}";
  private static final String GT_URL = "%7B%22%24gt%22%3A%22%22%7D";

  record Probe(HttpMethod method, String uri, String body, int status, String field) {
  }

  static List<Probe> probes() {
    return List.of(
        // interactions: ids become the filter of the upsert
        new Probe(HttpMethod.POST, "/interactions", "{\"userId\": " + GT + ", \"itemId\": 1, \"rating\": 4}", 422,
            "userId"),
        new Probe(HttpMethod.POST, "/interactions", "{\"userId\": 1, \"itemId\": {\"$ne\": null}, \"rating\": 4}", 422,
            "itemId"),
        // recommendations: the user id is the key of the Mongo fallback read
        new Probe(HttpMethod.GET, "/recommendations/" + GT_URL, null, 400, "userId"),
        new Probe(HttpMethod.GET, "/recommendations/%D9%A1%D9%A2", null, 400, "userId"),
        new Probe(HttpMethod.GET, "/recomendaciones?user_id=" + GT_URL, null, 400, "user_id"),
        new Probe(HttpMethod.GET, "/recomendaciones?user_id%5B%24gt%5D=0", null, 400, "user_id"),
        // jobs and pipeline runs: jobId filter
        new Probe(HttpMethod.GET, "/jobs/" + GT_URL, null, 400, "jobId"),
        new Probe(HttpMethod.DELETE, "/jobs/" + GT_URL, null, 400, "jobId"),
        new Probe(HttpMethod.GET, "/jobs?kind=%7B%22%24ne%22%3Anull%7D", null, 400, "kind"),
        new Probe(HttpMethod.GET, "/pipeline/runs/" + GT_URL, null, 400, "jobId"),
        new Probe(HttpMethod.DELETE, "/pipeline/runs/%24where", null, 400, "jobId"),
        // experiments: runId, jobId, status and mode filters
        new Probe(HttpMethod.GET, "/experiments/" + GT_URL, null, 400, "runId"),
        new Probe(HttpMethod.GET, "/experiments?jobId=%7B%22%24ne%22%3Anull%7D", null, 400, "jobId"),
        new Probe(HttpMethod.GET, "/experiments?status=%7B%22%24ne%22%3Anull%7D", null, 400, "status"),
        new Probe(HttpMethod.GET, "/experiments?mode=%24where", null, 400, "mode"),
        // models: name (and version) filters of the registry
        new Probe(HttpMethod.POST, "/select-model", "{\"model_name\": " + GT + "}", 422, "model_name"),
        new Probe(HttpMethod.POST, "/select-model", "{\"model_name\": \"$where\"}", 422, "model_name"),
        new Probe(HttpMethod.POST, "/select-model", "{\"model_name\": \"modelo1\", \"version\": {\"$ne\": 1}}", 422,
            "version"),
        new Probe(HttpMethod.POST, "/select-model",
            "{\"model_name\": \"modelo1\", \"model_name\": " + GT + "}", 400, "body"),
        new Probe(HttpMethod.POST, "/predict?model=" + GT_URL, "{}", 400, "model"),
        new Probe(HttpMethod.POST, "/predict?model=%24where%3A1", "{}", 400, "model"),
        new Probe(HttpMethod.DELETE, "/models/" + GT_URL + "/1", null, 400, "name"),
        new Probe(HttpMethod.DELETE, "/models/modelo1/" + GT_URL, null, 400, "version"));
  }

  @Test
  @DisplayName("query operators in ids, names and filters are 400/422 naming the field; nothing read or written")
  void operatorsNeverReachQueries() throws Exception {
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE, Role.RECOMMENDER, Role.TRAINER),
        TestApp.withShippedModel(new JsonObject()))) {
      Vertx vertx = app.app().vertx();
      WebClient c = WebClient.create(vertx);
      var mongo = app.app().services().mongo();
      // a job and an experiment-free store: an operator that reached the filter would match the job
      long jobs = await(mongo.count(Collections.JOBS, new JsonObject()));
      long interactions = await(mongo.count(Collections.INTERACTIONS, new JsonObject()));
      for (Probe p : probes()) {
        var req = c.request(p.method(), app.port(), "127.0.0.1", p.uri());
        HttpResponse<Buffer> r = await(p.body() == null ? req.send()
            : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(p.body())));
        assertThat(r.statusCode()).as(p.method() + " " + p.uri() + " -> " + r.bodyAsString()).isEqualTo(p.status());
        assertThat(r.bodyAsJsonObject().getString("field")).as(p.uri()).isEqualTo(p.field());
      }
      assertThat(await(mongo.count(Collections.JOBS, new JsonObject()))).isEqualTo(jobs);
      assertThat(await(mongo.count(Collections.INTERACTIONS, new JsonObject()))).isEqualTo(interactions);
      // the same routes answer normally for well-formed values: the refusals above are about the operators
      assertThat(await(c.get(app.port(), "127.0.0.1", "/recommendations/12").send()).statusCode()).isEqualTo(200);
      assertThat(await(c.get(app.port(), "127.0.0.1", "/experiments?status=succeeded").send()).statusCode())
          .isEqualTo(200);
      assertThat(await(c.get(app.port(), "127.0.0.1", "/jobs/abc").send()).statusCode()).isEqualTo(404);
    }
  }

  @Test
  @DisplayName("integer parameters accept ASCII digits only (not other scripts' digits, not exponents)")
  void asciiIntegersOnly() {
    assertThat(QueryParams.parseLong("userId", "12", 1, 100)).isEqualTo(12);
    assertThat(QueryParams.parseLong("userId", " 12 ", 1, 100)).isEqualTo(12);
    for (String raw : List.of("\u0661\u0662", "\uFF11\uFF12", "1e1", "+12", "12L", "0x0C", "")) {
      assertThatThrownBy(() -> QueryParams.parseLong("userId", raw, 1, 100)).as(raw)
          .isInstanceOf(ApiError.class).extracting(e -> ((ApiError) e).field()).isEqualTo("userId");
    }
  }
}
