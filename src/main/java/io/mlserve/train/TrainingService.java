package io.mlserve.train;

import io.mlserve.common.ApiError;
import io.mlserve.config.TrainConfig;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.jobs.Job;
import io.mlserve.jobs.JobCancelledException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.train.forest.ForestModel;
import io.mlserve.train.forest.ForestParams;
import io.mlserve.train.forest.RandomForestTrainer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One training job ({@code train} or {@code tune}): load the {@code covertype} rows, split them (stratified, seeded),
 * run each candidate as an experiment (trees in parallel on the {@code train} pool, up to {@code poolSize}
 * experiments at once), export the best to ONNX, register it, and promote it when it beats the production model on
 * the same test split. Cancelling stops between trees; cancelled experiments are recorded as such and nothing is
 * registered.
 */
public final class TrainingService {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingService.class);

  private final Vertx vertx;
  private final Context context;
  private final TrainConfig config;
  private final Executor pool;
  private final TrainingDataLoader loader;
  private final ExperimentStore experiments;
  private final Promotion promotion;
  private final MeterRegistry metrics;

  public TrainingService(Vertx vertx, Context context, TrainConfig config, Executor pool, TrainingDataLoader loader,
                         ExperimentStore experiments, ModelRegistry registry, MeterRegistry metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.pool = pool;
    this.loader = loader;
    this.experiments = experiments;
    this.promotion = new Promotion(vertx, registry, config);
  }

  /** A finished experiment: its run id, params, metrics and (while needed) the forest. */
  record Outcome(String runId, ForestParams params, ClassificationMetrics metrics, ForestModel forest, long millis) {
  }

  /** The split shared by every experiment of a job. */
  record Prepared(TrainingSet data, StratifiedSplit split, float[] trainX, int[] trainY, float[] testX, int[] testY,
                  JsonObject dataInfo) {
  }

  public Future<JsonObject> execute(Job job, TrainRequest request) {
    return loader.load(job, FeatureEncoding.covertypeOneHot()).compose(loaded -> {
      if (loaded.data().rows() < 10) {
        return Future.failedFuture(ApiError.unprocessable("data", loaded.data().rows() == 0
            ? "no training data: run the pipeline load step first"
            : "only " + loaded.data().rows() + " valid training rows: load more data first"));
      }
      job.phase("splitting");
      return vertx.executeBlocking(() -> prepare(loaded), false);
    }).compose(prepared -> {
      long totalTrees = request.candidates().stream().mapToLong(ForestParams::trees).sum();
      job.phase("training " + request.candidates().size() + " experiment(s)").resetProgress(totalTrees)
          .total(totalTrees, "trees");
      return runAll(job, request, prepared).compose(outcomes -> finish(job, request, prepared, outcomes));
    });
  }

  private Prepared prepare(TrainingDataLoader.Loaded loaded) {
    TrainingSet data = loaded.data();
    StratifiedSplit split = StratifiedSplit.of(data.y(), data.classLabels().length, config.testFraction(),
        config.seed());
    JsonObject info = new JsonObject()
        .put("rows", data.rows())
        .put("hash", data.dataHash())
        .put("trainRows", split.train().length)
        .put("testRows", split.test().length)
        .put("testFraction", config.testFraction())
        .put("splitSeed", config.seed())
        .put("skippedRows", loaded.skipped());
    if (loaded.firstProblem() != null) {
      info.put("firstSkipReason", loaded.firstProblem());
    }
    return new Prepared(data, split, data.rowsOf(split.train()), data.labelsOf(split.train()),
        data.rowsOf(split.test()), data.labelsOf(split.test()), info);
  }

  /** Runs the candidates, at most {@code poolSize} at a time; fails when cancelled or when every run failed. */
  private Future<List<Outcome>> runAll(Job job, TrainRequest request, Prepared prepared) {
    List<ForestParams> todo = request.candidates();
    List<Outcome> done = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    Promise<List<Outcome>> all = Promise.promise();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      while (inFlight.get() < config.poolSize() && next.get() < todo.size() && !job.isCancelled()) {
        ForestParams params = todo.get(next.getAndIncrement());
        inFlight.incrementAndGet();
        experiment(job, request.mode(), prepared, params).onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded()) {
            done.add(ar.result());
          } else {
            failures.add(ar.cause());
          }
          launch[0].run();
          if (inFlight.get() == 0 && (next.get() >= todo.size() || job.isCancelled())) {
            if (job.isCancelled()) {
              all.tryFail(new JobCancelledException());
            } else if (done.isEmpty()) {
              all.tryFail(failures.get(0));
            } else {
              all.tryComplete(done);
            }
          }
        });
      }
    };
    context.runOnContext(v -> launch[0].run());
    return all.future();
  }

  private Future<Outcome> experiment(Job job, String mode, Prepared p, ForestParams params) {
    String runId = UUID.randomUUID().toString();
    JsonObject doc = new JsonObject().put("runId", runId).put("jobId", job.id()).put("mode", mode)
        .put("params", new JsonObject(params.toMap())).put("data", p.dataInfo());
    long t0 = System.nanoTime();
    return experiments.started(doc).compose(v -> {
      Counter trees = Counter.builder("mlserve.train.trees").description("Trees grown by the trainer")
          .register(metrics);
      java.util.concurrent.atomic.AtomicLong nodes = new java.util.concurrent.atomic.AtomicLong();
      var training = RandomForestTrainer.train(p.trainX(), p.trainY(), p.trainY().length, p.data().columns(),
          p.data().classLabels(), params, pool, config.poolSize(), i -> job.checkCancelled(), (n, tree) -> {
            job.advance(1);
            trees.increment();
            checkSize(params, n, nodes.addAndGet(tree.size()));
          });
      return Future.fromCompletionStage(training, context);
    }).compose(forest -> {
      long trainMs = (System.nanoTime() - t0) / 1_000_000;
      return vertx.executeBlocking(() -> {
        int[] predicted = forest.predictIndexes(p.testX(), p.testY().length);
        return new Outcome(runId, params, ClassificationMetrics.of(p.testY(), predicted, p.data().classLabels()),
            forest, trainMs);
      }, false);
    }).compose(outcome -> {
      count(ExperimentStore.SUCCEEDED);
      Timer.builder("mlserve.train.experiment.duration").description("Training plus evaluation time of experiments")
          .register(metrics).record(java.time.Duration.ofNanos(System.nanoTime() - t0));
      return Future.succeededFuture(outcome);
    }).compose(outcome -> experiments.finished(runId, ExperimentStore.SUCCEEDED, new JsonObject()
            .put("metrics", new JsonObject(outcome.metrics().toMap()))
            .put("durationMs", (System.nanoTime() - t0) / 1_000_000)
            .put("trainMs", outcome.millis())
            .put("forest", new JsonObject().put("nodes", outcome.forest().nodeCount())
                .put("maxDepth", outcome.forest().maxDepth())))
        .map(outcome)
    ).recover(t -> {
      Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
      boolean cancelled = cause instanceof JobCancelledException || job.isCancelled();
      if (!cancelled) {
        LOG.warn("experiment {} failed: {}", runId, cause.toString());
      }
      count(cancelled ? ExperimentStore.CANCELLED : ExperimentStore.FAILED);
      return experiments.finished(runId, cancelled ? ExperimentStore.CANCELLED : ExperimentStore.FAILED,
              new JsonObject().put("durationMs", (System.nanoTime() - t0) / 1_000_000)
                  .put("error", cancelled ? "cancelled on request" : String.valueOf(cause.getMessage())))
          .recover(x -> Future.succeededFuture())
          .compose(x -> Future.failedFuture(cancelled ? new JobCancelledException() : cause));
    });
  }

  private Future<JsonObject> finish(Job job, TrainRequest request, Prepared p, List<Outcome> outcomes) {
    Comparator<Outcome> byMetric = Comparator.comparingDouble(o -> score(o.metrics()));
    Outcome best = outcomes.stream()
        .max(byMetric.thenComparingDouble(o -> o.metrics().accuracy())
            .thenComparing(o -> -o.forest().nodeCount()))
        .orElseThrow();
    JsonArray runs = new JsonArray();
    outcomes.forEach(o -> runs.add(new JsonObject().put("runId", o.runId()).put("params", new JsonObject(
        o.params().toMap())).put("accuracy", o.metrics().accuracy()).put("macroF1", o.metrics().macroF1())));
    job.checkCancelled();
    job.phase("exporting ONNX");
    return vertx.executeBlocking(() -> ModelPackage.of(config.modelName(), best.forest(), p.data(), best.params(),
            best.metrics().toMap(), p.dataInfo(), best.runId(), config.maxModelNodes()), false)
        .recover(t -> Future.failedFuture(t instanceof IllegalArgumentException
            ? ApiError.unprocessable("params", t.getMessage()) : t))
        .compose(pkg -> {
          job.checkCancelled(); // last point to stop: after this the version is written whole or not at all
          job.phase("registering");
          return promotion.registerAndMaybePromote(pkg, p, best.metrics());
        })
        .compose(decision -> experiments.update(best.runId(), new JsonObject().put("model", decision.copy()
                .put("best", true)))
            .map(v -> new JsonObject()
                .put("mode", request.mode())
                .put("experiments", runs)
                .put("bestRunId", best.runId())
                .put("bestParams", new JsonObject(best.params().toMap()))
                .put("metrics", new JsonObject().put("accuracy", best.metrics().accuracy())
                    .put("macroF1", best.metrics().macroF1()))
                .put("data", p.dataInfo())
                .put("model", decision)));
  }

  /**
   * Stops an experiment early (after 3 trees) when its forest is on course to exceed {@code train.maxModelNodes}:
   * it could not be exported, so minutes of training would be wasted.
   */
  private void checkSize(ForestParams params, int finished, long nodesSoFar) {
    long projected = nodesSoFar * params.trees() / finished;
    if (finished >= 3 && projected > config.maxModelNodes() * 3 / 2) {
      throw ApiError.unprocessable("params", "this forest is on course for about " + projected + " nodes, over"
          + " train.maxModelNodes (" + config.maxModelNodes() + "): lower maxDepth or trees, raise nodeSize, or"
          + " raise train.maxModelNodes");
    }
  }

  private void count(String status) {
    Counter.builder("mlserve.train.experiments").description("Finished experiments by status")
        .tag("status", status).register(metrics).increment();
  }

  private double score(ClassificationMetrics m) {
    return config.promotionMetric().equals("macroF1") ? m.macroF1() : m.accuracy();
  }
}
