package io.mlserve.jobs;

import io.mlserve.app.Role;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobsTest {
  private static TestApp app;
  private static Services services;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.API), new JsonObject());
    services = app.app().services();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Work on a worker thread that counts to {@code n}, checking for cancellation. */
  private static Future<JsonObject> counting(Job job, int n, long sleepMs) {
    return services.vertx().executeBlocking(() -> {
      job.total(n, "steps").phase("counting");
      for (int i = 0; i < n; i++) {
        job.checkCancelled();
        Thread.sleep(sleepMs);
        job.advance(1);
      }
      return new JsonObject().put("counted", n);
    }, false);
  }

  @Test
  @DisplayName("a job reports progress while running and its result when done, live and from MongoDB")
  void lifecycle() throws Exception {
    Jobs jobs = services.jobs();
    Job job = jobs.start("test.count", new JsonObject().put("n", 20), j -> counting(j, 20, 20));
    JsonObject running = await(jobs.status(job.id()));
    for (int i = 0; i < 100 && running.getLong("processed") == 0; i++) {
      Thread.sleep(10);
      running = await(jobs.status(job.id()));
    }
    assertThat(running.getString("state")).isEqualTo("RUNNING");
    assertThat(running.getLong("processed")).isBetween(1L, 19L);
    assertThat(running.getLong("total")).isEqualTo(20);
    JsonObject done = await(jobs.awaitFinished(job.id(), 200));
    assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
    assertThat(done.getLong("processed")).isEqualTo(20);
    assertThat(done.getJsonObject("result").getInteger("counted")).isEqualTo(20);
    // a process that does not own the job finds it in MongoDB
    Jobs other = new Jobs(services.vertx(), services.mongo(), services.metrics());
    JsonObject stored = await(other.status(job.id()));
    assertThat(stored.getString("state")).isEqualTo("SUCCEEDED");
    assertThat(stored.getJsonObject("params").getInteger("n")).isEqualTo(20);
  }

  @Test
  @DisplayName("DELETE cancels a running job; cancelling it again is a 409")
  void cancel() throws Exception {
    Jobs jobs = services.jobs();
    Job job = jobs.start("test.count", null, j -> counting(j, 10_000, 5));
    WebClient client = WebClient.create(services.vertx());
    var r = await(client.delete(app.port(), "127.0.0.1", "/jobs/" + job.id()).send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getBoolean("cancelRequested")).isTrue();
    JsonObject end = await(jobs.awaitFinished(job.id(), 100));
    assertThat(end.getString("state")).isEqualTo("CANCELLED");
    assertThat(end.getLong("processed")).isLessThan(10_000);
    var again = await(client.delete(app.port(), "127.0.0.1", "/jobs/" + job.id()).send());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("detail")).contains("CANCELLED");
  }

  @Test
  @DisplayName("a failing job ends FAILED with its error recorded")
  void failure() throws Exception {
    Jobs jobs = services.jobs();
    Job job = jobs.start("test.fail", null, j -> Future.failedFuture(ApiError.unavailable("MongoDB went away")));
    JsonObject end = await(jobs.awaitFinished(job.id(), 100));
    assertThat(end.getString("state")).isEqualTo("FAILED");
    assertThat(end.getString("error")).isEqualTo("MongoDB went away");
  }

  @Test
  @DisplayName("GET /jobs/{id}: 404 for an unknown job, 400 for an id that is not one; GET /jobs lists by kind")
  void routes() throws Exception {
    WebClient client = WebClient.create(services.vertx());
    var unknown = await(client.get(app.port(), "127.0.0.1", "/jobs/0000-nope").send());
    assertThat(unknown.statusCode()).isEqualTo(404);
    var bad = await(client.get(app.port(), "127.0.0.1", "/jobs/%7B%22$gt%22:%22%22%7D").send());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("jobId");
    Promise<JsonObject> never = Promise.promise();
    Job job = services.jobs().start("test.list", null, j -> never.future());
    var live = await(client.get(app.port(), "127.0.0.1", "/jobs/" + job.id()).send());
    assertThat(live.bodyAsJsonObject().getString("state")).isEqualTo("RUNNING");
    never.complete(new JsonObject());
    await(services.jobs().awaitFinished(job.id(), 100));
    var list = await(client.get(app.port(), "127.0.0.1", "/jobs?kind=test.list").send());
    assertThat(list.bodyAsJsonObject().getJsonArray("jobs")).hasSize(1);
    assertThatThrownBy(() -> Jobs.checkId("../etc")).isInstanceOf(ApiError.class);
  }
}
