package io.mlserve.reliability;

import io.mlserve.app.Role;
import io.mlserve.bench.JvmProcess;
import io.mlserve.recommend.RecsTestSupport;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.store.Collections;
import io.mlserve.store.EmbeddedMongo;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import static io.mlserve.recommend.RecsTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, fault "MongoDB stopped while a batch job runs": the app uses an embedded MongoDB the test started
 * itself (through {@code mongo.uri}); it is stopped while a recommendations batch writes its chunks. The job ends
 * FAILED with the error recorded and GET /jobs/{id} says so while MongoDB is still down; when MongoDB returns on the
 * same port the final status is saved to it, and the rerun succeeds.
 */
@ExtendWith(VertxExtension.class)
class MongoOutageDuringBatchTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("MongoDB stopped mid-batch: job FAILED with the error, visible while down, saved after restart, rerun SUCCEEDED")
  void mongoStoppedDuringBatch(Vertx vertx) throws Exception {
    int mongoPort = JvmProcess.freePort();
    EmbeddedMongo mongo = EmbeddedMongo.start("memory", dir, mongoPort);
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.RECOMMENDER), new JsonObject()
        .put("mongo", new JsonObject().put("uri", mongo.connectionString()).put("serverSelectionTimeoutMs", 2000))
        // small chunks on one thread: the batch takes long enough to be stopped in the middle
        .put("recs", new JsonObject().put("chunkUsers", 2).put("workerPoolSize", 1)))) {
      WebClient client = WebClient.create(vertx);
      RatingsBuffer ratings = SyntheticRatings.generate(200, 100, 3000, 5);
      await(RecsTestSupport.load(client, app, ratings));

      String id = await(client.post(app.port(), "127.0.0.1", "/recommendations/compute")
          .sendJsonObject(new JsonObject().put("algo", "all"))).bodyAsJsonObject().getString("jobId");
      JsonObject progress = awaitJob(client, app, id, s -> s.getLong("processed", 0L) > 0, 30_000);
      assertThat(progress.getString("state")).as("stopped mid-job: %s", progress.encode()).isEqualTo("RUNNING");
      mongo.close();
      long stoppedAt = System.nanoTime();

      // the outcome is known (and served) although MongoDB cannot store it
      JsonObject failed = awaitJob(client, app, id, s -> !"RUNNING".equals(s.getString("state")), 30_000);
      double failedAfterS = (System.nanoTime() - stoppedAt) / 1e9;
      assertThat(failed.getString("state")).as("job after the stop: %s", failed.encode()).isEqualTo("FAILED");
      assertThat(failed.getString("error")).contains("writing recommendations failed");
      assertThat(failed.getLong("processed")).isLessThan(200L);
      HttpResponse<?> ready = await(client.get(app.port(), "127.0.0.1", "/health/ready").send());
      assertThat(ready.statusCode()).as("ready while MongoDB is down: %s", ready.bodyAsString()).isEqualTo(503);

      mongo = EmbeddedMongo.start("memory", dir, mongoPort);
      long restartedAt = System.nanoTime();
      awaitReady(client, app, 15_000);
      double readyAfterS = (System.nanoTime() - restartedAt) / 1e9;
      // the final status the outage kept from being saved reaches the restarted MongoDB (re-saved every 2 s). The
      // document can be visible before the app has read the write's acknowledgement, so wait for both.
      JsonObject stored = null;
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline) {
        stored = await(app.app().services().mongo().findOne(Collections.JOBS, new JsonObject().put("jobId", id),
            new JsonObject().put("_id", 0)));
        if (stored != null && "FAILED".equals(stored.getString("state"))
            && app.app().services().jobs().allFinishedSaved()) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(stored).as("job %s in the restarted MongoDB", id).isNotNull();
      assertThat(stored.getString("state")).isEqualTo("FAILED");
      assertThat(stored.getString("error")).isEqualTo(failed.getString("error"));
      assertThat(app.app().services().jobs().allFinishedSaved()).as("every final status saved").isTrue();

      // the restarted server is empty (memory backend): load again, rerun
      await(RecsTestSupport.load(client, app, ratings));
      JsonObject rerun = await(RecsTestSupport.compute(vertx, client, app, "all"));
      System.out.printf("mongo outage: job failed %.2f s after the stop (%s), ready %.2f s after the restart, "
          + "rerun %s in %d ms%n", failedAfterS, failed.getString("error"), readyAfterS, rerun.getString("state"),
          rerun.getLong("durationMs"));
      assertThat(rerun.getString("state")).as("rerun: %s", rerun.encode()).isEqualTo("SUCCEEDED");
      assertThat(rerun.getLong("processed")).isEqualTo(200L);
    } finally {
      mongo.close();
    }
  }

  private static JsonObject awaitJob(WebClient client, TestApp app, String id,
                                     java.util.function.Predicate<JsonObject> done, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      HttpResponse<?> r = await(client.get(app.port(), "127.0.0.1", "/jobs/" + id).send());
      assertThat(r.statusCode()).as("GET /jobs/%s: %s", id, r.bodyAsString()).isEqualTo(200);
      JsonObject s = r.bodyAsJsonObject();
      if (done.test(s)) {
        return s;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("job " + id + " not there within " + timeoutMs + " ms: " + s.encode());
      }
      Thread.sleep(20);
    }
  }

  private static void awaitReady(WebClient client, TestApp app, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (await(client.get(app.port(), "127.0.0.1", "/health/ready").send()).statusCode() != 200) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not ready within " + timeoutMs + " ms after MongoDB returned");
      }
      Thread.sleep(100);
    }
  }
}
