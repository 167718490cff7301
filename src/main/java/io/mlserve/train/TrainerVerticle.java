package io.mlserve.train;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.jobs.Job;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Role {@code trainer}: answers {@code train.run} ({"mode": "train" | "tune", "params"?} → {"jobId"} at once) and
 * runs the work as a job on the {@code train} worker pool ({@code train.poolSize} threads). At start it registers the
 * models found on disk (the shipped bootstrap model) so a fresh database has a production model.
 */
public final class TrainerVerticle extends VerticleBase {
  public static final String RUN_ADDRESS = "train.run";
  private static final Logger LOG = LoggerFactory.getLogger(TrainerVerticle.class);

  private final Services services;
  private final Set<Job> running = ConcurrentHashMap.newKeySet();
  private WorkerExecutor workers;

  public TrainerVerticle(Services services) {
    this.services = services;
  }

  /** The process-wide registry (shared with inference when both roles run in one process). */
  public static ModelRegistry registry(Services s) {
    return s.shared(ModelRegistry.class, () -> new ModelRegistry(s.vertx(), s.mongo(), s.config().models().dir()));
  }

  @Override
  public Future<?> start() {
    var config = services.config().train();
    workers = vertx.createSharedWorkerExecutor("train", config.poolSize(), 2, TimeUnit.HOURS);
    Executor pool = task -> workers.executeBlocking(() -> {
      task.run();
      return null;
    }, false);
    ModelRegistry registry = registry(services);
    TrainingService training = new TrainingService(vertx, context, config, pool,
        new TrainingDataLoader(vertx, services.mongo()), new ExperimentStore(services.mongo()), registry, services.metrics());
    Bus.consume(vertx, RUN_ADDRESS, body -> {
      TrainRequest request = TrainRequest.parse(body, config);
      Job job = services.jobs().start(request.mode(), body, j -> {
        running.add(j);
        return training.execute(j, request).andThen(ar -> running.remove(j));
      });
      LOG.info("training job {} ({}, {} experiment(s)) started", job.id(), request.mode(),
          request.candidates().size());
      return Future.succeededFuture(new JsonObject().put("jobId", job.id()).put("kind", request.mode())
          .put("experiments", request.candidates().size()).put("status", "/jobs/" + job.id()));
    });
    RolePresence.announce(vertx, Role.TRAINER);
    return registry.syncFromDisk().recover(t -> {
      LOG.warn("could not register the models on disk: {}", t.toString());
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<?> stop() {
    running.forEach(j -> services.jobs().cancel(j.id()));
    return workers == null ? Future.succeededFuture() : workers.close();
  }
}
