package io.mlserve.pipeline;

import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.feed.BatchFeederVerticle;
import io.mlserve.feed.CovertypeWriter;
import io.mlserve.jobs.Job;
import io.mlserve.jobs.JobCancelledException;
import io.mlserve.jobs.JobState;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs pipelines as {@code pipeline} jobs: the requested steps in order, each recorded with its state, timings,
 * counts and error in the job's {@code detail}. {@code clear} empties {@code covertype} itself; {@code load},
 * {@code train} and {@code tune} ask the owning role over the event bus ({@code feeder.load}, {@code train.run}),
 * then follow the job it started ({@link ChildJobWatch}). The first step that does not succeed stops the run;
 * cancelling the run cancels the job its current step is waiting for. One run at a time per process.
 */
public final class PipelineRunner {
  public static final String JOB_KIND = "pipeline";
  public static final String TRAIN_ADDRESS = "train.run";
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);

  private final Services services;
  private volatile Job current;

  public PipelineRunner(Services services) {
    this.services = services;
  }

  /** The process-wide runner. */
  public static PipelineRunner of(Services services) {
    return services.shared(PipelineRunner.class, () -> new PipelineRunner(services));
  }

  /** The run in progress in this process, if any. */
  public Job running() {
    Job j = current;
    return j != null && !j.state().terminal() ? j : null;
  }

  /**
   * Starts a run and returns its job at once; 409 while another run of this process is in progress.
   *
   * @param stepParams optional {@code {"train": {...}, "tune": {...}}} passed to the trainer as {@code params}
   */
  public synchronized Job start(List<PipelineStep> steps, String trigger, JsonObject stepParams) {
    Job busy = running();
    if (busy != null) {
      throw ApiError.conflict("pipeline run " + busy.id() + " is still running; wait for it or cancel it with "
          + "DELETE /pipeline/runs/" + busy.id()).with("runId", busy.id());
    }
    PipelineRun run = new PipelineRun(steps, trigger);
    JsonObject params = new JsonObject()
        .put("steps", new JsonArray(steps.stream().map(PipelineStep::id).toList()))
        .put("trigger", trigger);
    if (stepParams != null && !stepParams.isEmpty()) {
      params.put("params", stepParams);
    }
    current = services.jobs().start(JOB_KIND, params, job -> execute(job, run, stepParams));
    return current;
  }

  private Future<JsonObject> execute(Job job, PipelineRun run, JsonObject stepParams) {
    job.total(run.steps().size(), "steps");
    publish(job, run);
    Future<Void> chain = Future.succeededFuture();
    for (PipelineStep step : run.steps()) {
      chain = chain.compose(v -> runStep(job, run, step, stepParams));
    }
    return chain.map(v -> new JsonObject(run.toMap()));
  }

  private Future<Void> runStep(Job job, PipelineRun run, PipelineStep step, JsonObject stepParams) {
    if (job.isCancelled()) {
      run.cancelled(step);
      publish(job, run);
      return Future.failedFuture(new JobCancelledException());
    }
    run.started(step);
    job.phase(step.id());
    publish(job, run);
    LOG.info("pipeline {}: step {} started", job.id(), step.id());
    Future<Map<String, Object>> work;
    try {
      work = switch (step) {
        case CLEAR -> clear();
        case LOAD -> delegate(job, run, step, BatchFeederVerticle.LOAD_ADDRESS,
            new JsonObject().put("runId", job.id()));
        case TRAIN, TUNE -> delegate(job, run, step, TRAIN_ADDRESS, trainRequest(step, stepParams));
      };
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    return work.transform(ar -> {
      if (ar.succeeded()) {
        run.succeeded(step, ar.result());
        job.advance(1);
        publish(job, run);
        LOG.info("pipeline {}: step {} succeeded", job.id(), step.id());
        return Future.succeededFuture();
      }
      if (job.isCancelled() || ar.cause() instanceof JobCancelledException) {
        run.cancelled(step);
        publish(job, run);
        return Future.failedFuture(new JobCancelledException());
      }
      String error = ar.cause() instanceof ApiError e ? e.getMessage() : ar.cause().toString();
      run.failed(step, error);
      publish(job, run);
      LOG.warn("pipeline {}: step {} failed: {}", job.id(), step.id(), error);
      return Future.failedFuture(new ApiError(500, "step failed", "step '" + step.id() + "' failed: " + error));
    });
  }

  private static JsonObject trainRequest(PipelineStep step, JsonObject stepParams) {
    JsonObject request = new JsonObject().put("mode", step.id());
    JsonObject params = stepParams == null ? null : stepParams.getJsonObject(step.id());
    if (params != null) {
      request.put("params", params);
    }
    return request;
  }

  /**
   * Empties {@code covertype} and its quarantine. Feed loads still running would keep writing into the emptied
   * collection, so they are cancelled (and waited for) first.
   */
  private Future<Map<String, Object>> clear() {
    long pollMs = services.config().pipeline().pollMs();
    return services.mongo().find(Collections.JOBS, new JsonObject().put("kind", BatchFeederVerticle.JOB_KIND)
            .put("state", JobState.RUNNING.name()))
        .compose(loads -> Future.all(loads.stream().map(l -> l.getString("jobId"))
            .map(id -> services.jobs().cancel(id).otherwiseEmpty()
                .compose(v -> services.jobs().awaitFinished(id, pollMs).timeout(60, TimeUnit.SECONDS)))
            .toList()).map(loads.size()))
        .compose(cancelled -> CovertypeWriter.clear(services.mongo()).map(removed -> Map.<String, Object>of(
            "rowsRemoved", removed[0], "quarantineRemoved", removed[1], "loadsCancelled", cancelled)));
  }

  /** Asks the owning role to start its job, then follows that job to its end. */
  private Future<Map<String, Object>> delegate(Job job, PipelineRun run, PipelineStep step, String address,
                                               JsonObject request) {
    return Bus.request(services.vertx(), address, request, services.config().bus().timeoutMs())
        .compose(reply -> {
          String childId = reply.getString("jobId");
          if (childId == null) {
            return Future.failedFuture(new ApiError(502, "bad reply", address + " answered without a jobId"));
          }
          run.job(step, childId);
          publish(job, run);
          return new ChildJobWatch(services, job, childId, progress -> {
            run.progress(step, progress);
            publish(job, run);
          }).await();
        });
  }

  private static void publish(Job job, PipelineRun run) {
    job.detail(new JsonObject(run.toMap()));
  }
}
