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

  /** The forest with metadata whose Soil_Type list lacks C7745 (which the schema allows): same width. */
  private LoadedModel narrowModel() throws Exception {
    io.vertx.core.json.JsonObject meta = FOREST.metadata().withVersion(1).toJson();
    io.vertx.core.json.JsonArray features = meta.getJsonArray("features");
    io.vertx.core.json.JsonObject soil = features.getJsonObject(features.size() - 1);
    List<Object> cats = new ArrayList<>(soil.getJsonArray("categories").getList());
    cats.set(cats.indexOf("C7745"), "C0000");
    soil.put("categories", new io.vertx.core.json.JsonArray(cats));
    return loader.load(FOREST.onnx(), io.mlserve.registry.ModelMetadata.parse(meta));
  }

  @Test
  @DisplayName("predictEach: requests queued together share one run; a row the model cannot encode fails its own")
  void predictEach() throws Exception {
    LoadedModel model = narrowModel();
    engine(true, 100_000);
    Map<String, Object> bad = new java.util.HashMap<>(InferenceFixtures.EXAMPLE_ROW); // Soil_Type C7745
    Map<String, Object> good = new java.util.HashMap<>(bad);
    good.put("Soil_Type", "C0000");
    Map<String, Object> other = new java.util.HashMap<>(ROWS.get(2));
    other.put("Soil_Type", "C0000");
    List<List<Map<String, Object>>> requests = List.of(List.of(good), List.of(bad), List.of(good, other));
    for (int i = 0; i < requests.size(); i++) {
      model.tryAcquire();
    }
    List<CompletableFuture<Predictions>> answers = engine.predictEach(model, requests);
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((v, t) -> v).get(20, TimeUnit.SECONDS);
    assertThat(answers.get(0).join().rows()).isEqualTo(1);
    ApiError e = (ApiError) answers.get(1).handle((p, t) -> t).join();
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.field()).isEqualTo("Soil_Type");
    assertThat(e.toJson().getInteger("index")).isZero(); // its own request's row index
    Predictions third = answers.get(2).join();
    assertThat(third.rows()).isEqualTo(2);
    float[] x = new float[2 * model.encoder().width()];
    assertThat(model.encoder().encode(List.of(good, other), 0, x, 0)).isNull();
    float[] expected = model.run(x, 2).probabilities();
    assertThat(java.util.Arrays.copyOfRange(expected, 0, 7))
        .isNotEqualTo(java.util.Arrays.copyOfRange(expected, 7, 14));
    assertThat(third.probabilities()).as("each request's rows, in its order").containsExactly(expected);
    assertThat(answers.get(0).join().probabilities()).containsExactly(java.util.Arrays.copyOfRange(expected, 0, 7));
    assertThat(batchSize().count()).as("one ORT run for the requests that encode").isEqualTo(1);
    assertThat(batchSize().totalAmount()).isEqualTo(3);
    assertThat(model.references()).as("every request gave its reference back").isEqualTo(1);

    engine.close();
    engine(true, 2);
    model.tryAcquire();
    model.tryAcquire();
    List<CompletableFuture<Predictions>> refused = engine.predictEach(model, List.of(List.of(good), List.of(good,
        good)));
    assertThat(refused).allSatisfy(f -> assertThat(((ApiError) f.handle((p, t) -> t).join()).status()).isEqualTo(503));
    assertThat(model.references()).isEqualTo(1);
    model.retire();
  }

  @Test
  @DisplayName("a category the serving model does not know (its own metadata) is a 422 naming row, field, values")
  void modelCategories() throws Exception {
    LoadedModel model = narrowModel();
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

  @Test
  @DisplayName("closing while threads submit: every request is answered (predictions or 503), none waits forever, "
      + "and every reference is given back")
  void closeWhileSubmitting() throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      PredictionEngine e = engine(true, 1_000_000);
      LoadedModel model = load();
      List<CompletableFuture<Predictions>> all = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch started = new CountDownLatch(2);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread th = new Thread(() -> {
          started.countDown();
          for (int i = 0; i < 2000 && model.tryAcquire(); i++) {
            all.add(e.predict(model, List.of(ROWS.get(i)), 0));
          }
        });
        threads.add(th);
        th.start();
      }
      started.await();
      e.close();
      for (Thread th : threads) {
        th.join(10_000);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, t) -> v).get(10, TimeUnit.SECONDS);
      for (CompletableFuture<Predictions> f : all) {
        f.handle((p, t) -> {
          assertThat(t == null ? 200 : ((ApiError) t).status()).isIn(200, 503);
          return null;
        }).join();
      }
      assertThat(model.references()).as("only the model's own reference is left").isEqualTo(1);
      model.retire();
      engine = null;
    }
  }
}
