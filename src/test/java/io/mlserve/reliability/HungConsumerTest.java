package io.mlserve.reliability;

import io.mlserve.app.Role;
import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.mlserve.bench.load.Scenarios;
import io.mlserve.inference.InferenceVerticle;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8, fault "a slow or hung event-bus consumer never blocks the event loop": the inference role is replaced by
 * consumers of {@code inference.predict} and {@code inference.predict.batch} that never answer half of the requests
 * and answer the other half only after sleeping 2 s on a worker thread (far past the bus timeout). While 16 callers
 * keep POSTing /predict, the other routes keep their latency and every caller gets a 504 with a JSON body shortly
 * after the timeout.
 * {@link TestApp#close()} fails the test if Vert.x reported a blocked thread meanwhile.
 */
@ExtendWith(VertxExtension.class)
class HungConsumerTest {
  private static final long BUS_TIMEOUT_MS = 500;
  private static final int PROBE_USERS = 4;
  private static final int HUNG_CALLERS = 16;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("16 callers on a hung predict consumer: 504 + JSON after ~timeout, /health/live p99 unchanged")
  void hungConsumerDoesNotBlockEventLoop(Vertx vertx) throws Exception {
    try (TestApp app = TestApp.start(java.util.EnumSet.of(Role.API), new JsonObject()
        .put("bus", new JsonObject().put("timeoutMs", BUS_TIMEOUT_MS)));
         LoadGenerator load = new LoadGenerator(2)) {
      Vertx appVertx = app.app().services().vertx();
      AtomicInteger received = new AtomicInteger();
      // the slow "inference" threads: a pool of its own, as the inference role has its runners
      io.vertx.core.WorkerExecutor slow = appVertx.createSharedWorkerExecutor("slow-inference", 48);
      io.vertx.core.Handler<io.vertx.core.eventbus.Message<Object>> hang = msg -> {
        if (received.incrementAndGet() % 2 == 0) {
          return; // never answers
        }
        // "inference made to sleep": blocks a worker, never the event loop; the late reply is dropped
        Object late = InferenceVerticle.PREDICT.equals(msg.address()) ? Buffer.buffer("{\"predictions\":[]}")
            : new io.mlserve.inference.PredictOutcomes(List.of());
        slow.executeBlocking(() -> {
          Thread.sleep(2000);
          return null;
        }, false).onComplete(ar -> msg.reply(late));
      };
      // single rows travel coalesced (inference.predict.batch), arrays one by one (inference.predict)
      io.mlserve.inference.PredictBatch.registerCodecs(appVertx);
      MessageConsumer<Object> hung = appVertx.eventBus().consumer(InferenceVerticle.PREDICT, hang);
      MessageConsumer<Object> hungBatch = appVertx.eventBus().consumer(InferenceVerticle.PREDICT_BATCH, hang);
      hung.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      hungBatch.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

      // baseline: only /health/live
      LoadResult baseline = load.run("127.0.0.1", app.port(), PROBE_USERS, PROBE_USERS, Duration.ofSeconds(1),
          Duration.ofSeconds(5), LoadGenerator.repeatGet("GET /health/live", r -> "/health/live"));

      // the same probes while 16 more callers keep hanging on /predict
      List<Buffer> bodies = Scenarios.predictBodies(3);
      Queue<String> badBodies = new ConcurrentLinkedQueue<>();
      LoadResult during = load.run("127.0.0.1", app.port(), PROBE_USERS + HUNG_CALLERS, PROBE_USERS + HUNG_CALLERS,
          Duration.ofSeconds(1), Duration.ofSeconds(5), (s, i) -> {
            if (s.user() >= PROBE_USERS) {
              return s.send("POST /predict", HttpMethod.POST, "/predict", bodies.get(s.random().nextInt(bodies.size())))
                  .onSuccess(r -> {
                    try {
                      JsonObject err = r.body().toJsonObject();
                      if (err.getString("error") == null || err.getString("detail") == null) {
                        badBodies.add(r.body().toString());
                      }
                    } catch (RuntimeException e) {
                      badBodies.add(r.body().toString());
                    }
                  });
            }
            return s.get("GET /health/live", "/health/live");
          });
      hung.unregister();
      hungBatch.unregister();
      slow.close();

      LoadResult.Series base = baseline.series("GET /health/live");
      LoadResult.Series live = during.series("GET /health/live");
      LoadResult.Series predict = during.series("POST /predict");
      System.out.printf("hung consumer: baseline%n%s during%n%s consumer received %d%n", baseline.summary("baseline"),
          during.summary("during"), received.get());

      assertThat(base.errors()).isZero();
      assertThat(live.errors()).isZero();
      assertThat(live.count()).as("probes ran during the hang").isGreaterThan(1000);
      // callers: every one a 504 (bus timeout), none earlier than the timeout, none much later
      assertThat(predict.statusCounts()).as("predict statuses").containsOnlyKeys(504);
      assertThat(predict.count()).as("hung calls").isGreaterThanOrEqualTo(HUNG_CALLERS * 5L);
      assertThat(predict.percentileMs(0)).as("fastest 504 (ms)").isGreaterThanOrEqualTo(BUS_TIMEOUT_MS * 0.9);
      assertThat(predict.percentileMs(100)).as("slowest 504 (ms)").isLessThan(BUS_TIMEOUT_MS + 1000.0);
      assertThat(badBodies).as("504 bodies that are not a JSON error").isEmpty();
      // /health/live keeps its latency. A blocked event loop would push the probes on it to the bus timeout
      // (500 ms) or beyond; a healthy one serves them in about a millisecond. The bound leaves room for a shared
      // 2-core box (scheduler slices of a few ms, GC, other builds): at most 50 ms, and at most 4x the baseline p99
      // plus 15 ms (the additive term because a sub-millisecond baseline times 4 is below scheduler noise).
      double baseP99 = base.percentileMs(99);
      double liveP99 = live.percentileMs(99);
      assertThat(liveP99).as("/health/live p99 during the hang (baseline %.2f ms)", baseP99)
          .isLessThan(50.0)
          .isLessThanOrEqualTo(baseP99 * 4 + 15);
    }
  }
}
