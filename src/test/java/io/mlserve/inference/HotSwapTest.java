package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.testing.TestApp;
import io.mlserve.testing.TestModels;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.mlserve.inference.InferenceFixtures.assertPredicts;
import static io.mlserve.inference.InferenceFixtures.await;
import static io.mlserve.inference.InferenceFixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

/** Zero-failure hot swap: continuous requests while the selection flips between two versions 20 times. */
@ExtendWith(VertxExtension.class)
class HotSwapTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "inference.inProcess={0}")
  @ValueSource(booleans = {true, false}) // api loops straight to the engine, and over the event bus
  @DisplayName("20 swaps under continuous load: 0 failed requests, each answer is right for the version it names")
  void swapUnderLoad(boolean inProcess, Vertx vertx) throws Exception {
    Map<Integer, TestModels.Model> versions = Map.of(
        1, InferenceFixtures.write(dir.resolve("models"), "modelo1", 1, 101, 25),
        2, InferenceFixtures.write(dir.resolve("models"), "modelo1", 2, 202, 25));
    List<Map<String, Object>> rows = PredictApiTest.features(new CovertypeGenerator(9).rows(64));
    try (TestApp app = TestApp.start(EnumSet.of(Role.API, Role.INFERENCE), new JsonObject()
        .put("models", new JsonObject().put("dir", dir.resolve("models").toString()))
        .put("inference", new JsonObject().put("inProcess", inProcess)))) {
      WebClient c = WebClient.create(vertx);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger answered = new AtomicInteger();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      Map<Integer, AtomicInteger> servedBy = Map.of(1, new AtomicInteger(), 2, new AtomicInteger());
      List<Future<Void>> loops = new ArrayList<>();
      for (int user = 0; user < 12; user++) {
        loops.add(loop(c, app.port(), user, rows, versions, running, answered, failures, servedBy));
      }
      for (int swap = 0; swap < 20; swap++) {
        int target = swap % 2 == 0 ? 1 : 2;
        int before = answered.get();
        var r = await(post(c, app.port(), "/select-model", new JsonObject().put("model_name", "modelo1")
            .put("version", target)));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 20_000;
        while (answered.get() < before + 30 && failures.isEmpty()) { // traffic on both sides of every swap
          assertThat(System.currentTimeMillis()).as("answers after swap %d", swap).isLessThan(deadline);
          Thread.sleep(5);
        }
      }
      running.set(false);
      await(Future.all(loops));
      assertThat(failures).isEmpty();
      assertThat(answered.get()).isGreaterThanOrEqualTo(600);
      assertThat(servedBy.get(1).get()).isPositive();
      assertThat(servedBy.get(2).get()).isPositive();
      // every replaced session was closed once its requests finished: only the selected one is open
      String metrics = await(c.get(app.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
      assertThat(metrics).contains("mlserve_model_sessions_open 1.0");
    }
  }

  private Future<Void> loop(WebClient c, int port, int user, List<Map<String, Object>> rows,
                            Map<Integer, TestModels.Model> versions, AtomicBoolean running, AtomicInteger answered,
                            Queue<String> failures, Map<Integer, AtomicInteger> servedBy) {
    Promise<Void> done = Promise.promise();
    step(c, port, user, 0, rows, versions, running, answered, failures, servedBy, done);
    return done.future();
  }

  private void step(WebClient c, int port, int user, int i, List<Map<String, Object>> rows,
                    Map<Integer, TestModels.Model> versions, AtomicBoolean running, AtomicInteger answered,
                    Queue<String> failures, Map<Integer, AtomicInteger> servedBy, Promise<Void> done) {
    if (!running.get()) {
      done.complete();
      return;
    }
    boolean array = i % 7 == 3; // mostly single rows (batched), some arrays
    List<Map<String, Object>> sent = array ? rows.subList(0, 40) : List.of(rows.get((user * 31 + i) % rows.size()));
    Object body = array ? new JsonArray(new ArrayList<>(sent)) : sent.get(0);
    post(c, port, "/predict", body).onComplete(ar -> {
      try {
        if (ar.failed()) {
          failures.add("transport: " + ar.cause());
        } else if (ar.result().statusCode() != 200) {
          failures.add(ar.result().statusCode() + " " + ar.result().bodyAsString());
        } else {
          JsonObject answer = ar.result().bodyAsJsonObject();
          int version = answer.getInteger("version");
          JsonArray predictions = answer.getJsonArray("predictions");
          for (int k = 0; k < sent.size(); k++) {
            assertPredicts(versions.get(version), sent.get(k), predictions.getJsonObject(k));
          }
          servedBy.get(version).incrementAndGet();
          answered.incrementAndGet();
        }
      } catch (AssertionError | RuntimeException e) {
        failures.add("wrong answer: " + e.getMessage());
      }
      step(c, port, user, i + 1, rows, versions, running, answered, failures, servedBy, done);
    });
  }
}
