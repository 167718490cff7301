package io.mlserve.inference;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlserve.common.ApiError;
import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The engine on its own: real ORT sessions, no Vert.x. */
class PredictionEngineTest {
  private static final TestModels.Model FOREST = TestModels.randomForest("m", 5, 20);
  private static final List<Map<String, Object>> ROWS = PredictApiTest.features(new CovertypeGenerator(3).rows(3000));
  private final ModelLoader loader = new ModelLoader(new ModelLoader.SessionSettings(1, 1, "all"));
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private PredictionEngine engine;

  private LoadedModel load() throws Exception {
    return loader.load(FOREST.onnx(), FOREST.metadata().withVersion(1));
  }

  private PredictionEngine engine(boolean batching, int maxQueuedRows) {
    engine = new PredictionEngine(new PredictionEngine.Settings(2, batching, 64, 2_000_000, 1000, maxQueuedRows),
        metrics);
    return engine;
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private DistributionSummary batchSize() {
    return metrics.get("mlserve.batch.size").summary();
  }

  /** 200 single-row requests released at once from 8 threads. */
  private List<Predictions> concurrentSingles(LoadedModel model) throws Exception {
    List<CompletableFuture<Predictions>> all = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int from = t * 25;
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = from; i < from + 25; i++) {
          model.tryAcquire();
          CompletableFuture<Predictions> f = engine.predict(model, List.of(ROWS.get(i)), 0);
          synchronized (all) {
            all.add(f);
          }
        }
      });
      threads.add(th);
      th.start();
    }
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    return all.stream().map(CompletableFuture::join).toList();
  }

  @Test
  @DisplayName("batching on: concurrent single rows share ORT runs (batch size > 1), each gets its own answer")
  void coalesces() throws Exception {
    LoadedModel model = load();
    engine(true, 100_000);
    List<Predictions> answers = concurrentSingles(model);
    assertThat(answers).hasSize(200);
    assertThat(batchSize().max()).isGreaterThan(1);
    assertThat(batchSize().max()).as("no run exceeds maxBatchRows").isLessThanOrEqualTo(64);
    assertThat(batchSize().count()).isLessThan(200);
    assertThat(batchSize().totalAmount()).isEqualTo(200);
    FeatureEncoding enc = FeatureEncoding.covertypeOneHot();
    for (int i = 0; i < answers.size(); i++) {
      Predictions p = answers.get(i);
      assertThat(p.rows()).isEqualTo(1);
    }
    assertThat(model.references()).isEqualTo(1); // every request gave its reference back
    model.retire();
    assertThat(model.isClosed()).isTrue();
  }

  @Test
  @DisplayName("batching off: every single-row request is its own run")
  void offSwitch() throws Exception {
    LoadedModel model = load();
    engine(false, 100_000);
    concurrentSingles(model);
    assertThat(batchSize().count()).isEqualTo(200);
    assertThat(batchSize().max()).isEqualTo(1);
    model.retire();
  }

  @Test
  @DisplayName("an array is split into chunks run in parallel and reassembled in order")
  void chunksInOrder() throws Exception {
    LoadedModel model = load();
    engine(true, 100_000);
    model.tryAcquire();
    Predictions p = engine.predict(model, ROWS, 0).get(20, TimeUnit.SECONDS);
    assertThat(p.rows()).isEqualTo(3000);
    assertThat(batchSize().count()).isEqualTo(3);
    FeatureEncoding enc = FeatureEncoding.covertypeOneHot();
    for (int i = 0; i < ROWS.size(); i += 7) {
      float[] expected = FOREST.forest().predictProba(enc.encode(ROWS.get(i)));
      for (int c = 0; c < expected.length; c++) {
        assertThat(p.probability(i, c)).as("row %d class %d", i, c).isCloseTo(expected[c], within(1e-5f));
      }
    }
    assertThat(model.references()).isEqualTo(1); // the request's reference (one per chunk) was released
    model.retire();
    assertThat(model.isClosed()).isTrue();
  }

  @Test
  @DisplayName("a category the serving model does not know (its own metadata) is a 422 naming row, field, values")
  void modelCategories() throws Exception {
    io.vertx.core.json.JsonObject meta = FOREST.metadata().withVersion(1).toJson();
    io.vertx.core.json.JsonArray features = meta.getJsonArray("features");
    io.vertx.core.json.JsonObject soil = features.getJsonObject(features.size() - 1);
    List<Object> cats = new ArrayList<>(soil.getJsonArray("categories").getList());
    cats.set(cats.indexOf("C7745"), "C0000"); // same width, one category the schema allows but the model lacks
    soil.put("categories", new io.vertx.core.json.JsonArray(cats));
    LoadedModel model = loader.load(FOREST.onnx(), io.mlserve.registry.ModelMetadata.parse(meta));
    engine(true, 100_000);
    Map<String, Object> row = new java.util.HashMap<>(InferenceFixtures.EXAMPLE_ROW);
    model.tryAcquire();
    Throwable t = engine.predict(model, List.of(ROWS.get(0), row), 0).handle((p, e) -> e).get(20, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(ApiError.class);
    ApiError e = (ApiError) t;
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.field()).isEqualTo("Soil_Type");
    assertThat(e.toJson().getInteger("index")).isEqualTo(1);
    assertThat(e.toJson().getJsonArray("allowed").getList()).contains("C0000").doesNotContain("C7745");
    assertThat(model.references()).isEqualTo(1);
    model.retire();
  }

  @Test
  @DisplayName("a retired model keeps its session until the requests holding it finish, then closes")
  void closesAfterInFlight() throws Exception {
    LoadedModel model = load();
    assertThat(loader.openSessions()).isEqualTo(1);
    assertThat(model.tryAcquire()).isTrue(); // a request in flight
    model.retire();
    assertThat(model.isClosed()).isFalse();
    LoadedModel.Output out = model.run(new float[54], 1); // still usable by that request
    assertThat(out.labels()).hasSize(1);
    model.release();
    assertThat(model.isClosed()).isTrue();
    assertThat(model.tryAcquire()).isFalse();
    assertThat(loader.openSessions()).isZero();
  }

  @Test
  @DisplayName("back-pressure: beyond maxQueuedRows requests fail with 503 instead of queueing without bound")
  void overload() throws Exception {
    LoadedModel model = load();
    engine(true, 100);
    model.tryAcquire();
    CompletableFuture<Predictions> f = engine.predict(model, ROWS.subList(0, 101), 0);
    assertThat(f).isCompletedExceptionally();
    Throwable t = f.handle((p, e) -> e).join();
    assertThat(t).isInstanceOf(ApiError.class);
    assertThat(((ApiError) t).status()).isEqualTo(503);
    assertThat(model.references()).isEqualTo(1);
    model.retire();
  }

  @Test
  @DisplayName("maxWait 0: no deliberate wait, yet rows that queue while the runner is busy share the next run")
  void naturalBatching() throws Exception {
    LoadedModel model = load();
    engine = new PredictionEngine(new PredictionEngine.Settings(1, true, 64, 0, 1000, 100_000), metrics);
    model.tryAcquire();
    CompletableFuture<Predictions> big = engine.predict(model, ROWS, 0); // keeps the only runner busy
    List<CompletableFuture<Predictions>> singles = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      model.tryAcquire();
      singles.add(engine.predict(model, List.of(ROWS.get(i)), 0));
    }
    big.get(20, TimeUnit.SECONDS);
    CompletableFuture.allOf(singles.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    assertThat(batchSize().totalAmount()).isEqualTo(3000 + 40);
    assertThat(batchSize().count()).isLessThan(3 + 40); // the 40 singles took fewer than 40 runs
    model.retire();
  }
}
