package io.mlserve.inference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlserve.common.ApiError;
import io.mlserve.inference.PredictOutcomes.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The api side of micro-batching on a real event loop and event bus. A stand-in for the inference role answers
 * each request with its first row's Elevation as the label, so every answer shows whose it is.
 */
@ExtendWith(VertxExtension.class)
class PredictCoalescerTest {
  private static final long[] CLASSES = {1, 2, 3, 4, 5, 6, 7};
  private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();
  private final List<PredictBatch> seen = Collections.synchronizedList(new ArrayList<>());
  private MessageConsumer<PredictBatch> consumer;

  @AfterEach
  void unregister() throws Exception {
    if (consumer != null) {
      InferenceFixtures.await(consumer.unregister());
    }
  }

  private void inference(Vertx vertx, Function<PredictBatch, List<Outcome>> answer) {
    PredictBatch.registerCodecs(vertx);
    consumer = vertx.eventBus().consumer(InferenceVerticle.PREDICT_BATCH, m -> {
      seen.add(m.body());
      m.reply(new PredictOutcomes(answer.apply(m.body())));
    });
  }

  private static List<Outcome> byElevation(PredictBatch batch) {
    List<Outcome> out = new ArrayList<>();
    for (List<Map<String, Object>> rows : batch.requests()) {
      long label = ((Number) rows.get(0).get("Elevation")).longValue();
      out.add(Outcome.of(new Predictions(batch.model() == null ? "selected" : batch.model(), 1, CLASSES,
          new long[] {label}, new float[7]), "Cover_Type"));
    }
    return out;
  }

  private static Map<String, Object> row(int elevation) {
    Map<String, Object> r = new HashMap<>(InferenceFixtures.EXAMPLE_ROW);
    r.put("Elevation", elevation);
    return r;
  }

  /** Adds one single-row request per elevation, all in one event-loop task, and waits for every outcome. */
  private static List<Future<Outcome>> inOnePass(Vertx vertx, int maxRows, List<String> models, int... elevations)
      throws Exception {
    Context loop = vertx.getOrCreateContext();
    CompletableFuture<List<Future<Outcome>>> added = new CompletableFuture<>();
    loop.runOnContext(v -> {
      PredictCoalescer coalescer = new PredictCoalescer(vertx, loop, new LocalInference(), maxRows, 5000, METRICS);
      List<Future<Outcome>> fs = new ArrayList<>();
      for (int i = 0; i < elevations.length; i++) {
        fs.add(coalescer.add(models.get(i % models.size()), List.of(row(elevations[i]))));
      }
      added.complete(fs);
    });
    List<Future<Outcome>> fs = added.get(10, TimeUnit.SECONDS);
    Future.join(fs).toCompletionStage().toCompletableFuture().handle((v, t) -> v).get(10, TimeUnit.SECONDS);
    return fs;
  }

  private static long label(Future<Outcome> f) {
    return f.result().predictions().labels()[0];
  }

  @Test
  @DisplayName("requests read in one event-loop pass travel as one batch per model, and each gets its own answer")
  void onePass(Vertx vertx) throws Exception {
    inference(vertx, PredictCoalescerTest::byElevation);
    List<String> models = new ArrayList<>(Collections.nCopies(4, null));
    models.add("other:2");
    List<Future<Outcome>> fs = inOnePass(vertx, 64, models, 2000, 2001, 2002, 2003, 3000, 2004, 2005, 2006);
    assertThat(seen).hasSize(2);
    PredictBatch selected = seen.stream().filter(b -> b.model() == null).findFirst().orElseThrow();
    assertThat(selected.requests()).hasSize(7);
    assertThat(selected.validated()).isTrue();
    assertThat(seen.stream().filter(b -> "other:2".equals(b.model())).findFirst().orElseThrow().requests())
        .hasSize(1);
    int[] expected = {2000, 2001, 2002, 2003, 3000, 2004, 2005, 2006};
    for (int i = 0; i < fs.size(); i++) {
      assertThat(fs.get(i).succeeded()).isTrue();
      assertThat(label(fs.get(i))).as("request %d", i).isEqualTo(expected[i]);
    }
    assertThat(fs.get(4).result().predictions().model()).isEqualTo("other:2");
  }

  @Test
  @DisplayName("mlserve_predict_coalesced_requests counts the requests of every message sent")
  void coalescedMetric(Vertx vertx) throws Exception {
    inference(vertx, PredictCoalescerTest::byElevation);
    var summary = METRICS.get("mlserve.predict.coalesced.requests").summary();
    long messages = summary.count();
    double requests = summary.totalAmount();
    inOnePass(vertx, 4, Collections.singletonList(null), 1, 2, 3, 4, 5, 6);
    assertThat(summary.count() - messages).isEqualTo(2);
    assertThat(summary.totalAmount() - requests).isEqualTo(6);
  }

  @Test
  @DisplayName("a batch that reaches maxRows leaves at once; the rest of the pass follows in the next one")
  void fullBatchLeaves(Vertx vertx) throws Exception {
    inference(vertx, PredictCoalescerTest::byElevation);
    List<Future<Outcome>> fs = inOnePass(vertx, 3, Collections.singletonList(null), 1, 2, 3, 4, 5, 6, 7);
    assertThat(seen).extracting(b -> b.requests().size()).containsExactly(3, 3, 1);
    for (int i = 0; i < fs.size(); i++) {
      assertThat(label(fs.get(i))).isEqualTo(i + 1);
    }
  }

  @Test
  @DisplayName("no inference role: every request of the batch fails with a 503 naming the address")
  void noInference(Vertx vertx) throws Exception {
    List<Future<Outcome>> fs = inOnePass(vertx, 64, Collections.singletonList(null), 1, 2);
    assertThat(fs).allSatisfy(f -> {
      assertThat(f.failed()).isTrue();
      ApiError e = (ApiError) f.cause();
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.getMessage()).contains(InferenceVerticle.PREDICT_BATCH);
    });
  }

  @Test
  @DisplayName("an error for the whole batch (e.g. no model) reaches every request with its status and body")
  void batchError(Vertx vertx) throws Exception {
    PredictBatch.registerCodecs(vertx);
    consumer = vertx.eventBus().consumer(InferenceVerticle.PREDICT_BATCH, m -> io.mlserve.bus.Bus.fail(m,
        InferenceVerticle.PREDICT_BATCH, ApiError.unavailable("no model is loaded")));
    List<Future<Outcome>> fs = inOnePass(vertx, 64, Collections.singletonList(null), 1, 2, 3);
    assertThat(fs).allSatisfy(f -> {
      assertThat(((ApiError) f.cause()).status()).isEqualTo(503);
      assertThat(f.cause().getMessage()).isEqualTo("no model is loaded");
    });
  }

  @Test
  @DisplayName("a reply whose outcomes do not match the requests fails them all with a 500, never a wrong answer")
  void mismatchedReply(Vertx vertx) throws Exception {
    inference(vertx, b -> byElevation(b).subList(0, 1));
    List<Future<Outcome>> fs = inOnePass(vertx, 64, Collections.singletonList(null), 1, 2);
    assertThat(fs).allSatisfy(f -> assertThat(((ApiError) f.cause()).status()).isEqualTo(500));
  }
}
