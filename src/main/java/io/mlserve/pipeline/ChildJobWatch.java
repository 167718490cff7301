package io.mlserve.pipeline;

import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.jobs.Job;
import io.mlserve.jobs.JobCancelledException;
import io.mlserve.jobs.JobState;
import io.mlserve.jobs.Jobs;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows the job a pipeline step delegated to (wherever it runs) until it ends: copies its progress into the step
 * every {@code pipeline.pollMs}, passes a cancel of the pipeline on to it, and notices when the process running it
 * has died (no owner answers three polls in a row: the job is then marked failed, which ends the wait).
 */
final class ChildJobWatch {
  private static final int MISSES_BEFORE_ORPHANED = 3;

  private final Services services;
  private final Job parent;
  private final String childId;
  private final Consumer<Map<String, Object>> onProgress;
  private boolean cancelSent;
  private int misses;

  ChildJobWatch(Services services, Job parent, String childId, Consumer<Map<String, Object>> onProgress) {
    this.services = services;
    this.parent = parent;
    this.childId = childId;
    this.onProgress = onProgress;
  }

  /** The child's result (plus its job id) when it succeeds; fails with its error otherwise. */
  Future<Map<String, Object>> await() {
    long pollMs = services.config().pipeline().pollMs();
    long timer = services.vertx().setPeriodic(pollMs, t -> poll());
    return services.jobs().awaitFinished(childId, pollMs)
        .andThen(ar -> services.vertx().cancelTimer(timer))
        .compose(this::outcome);
  }

  private void poll() {
    if (parent.isCancelled() && !cancelSent) {
      cancelSent = true;
      services.jobs().cancel(childId);
    }
    Job local = services.jobs().local(childId);
    if (local != null) {
      onProgress.accept(progress(local.snapshot()));
      return;
    }
    services.vertx().eventBus().<JsonObject>request(Jobs.statusAddress(childId), new JsonObject(),
            new DeliveryOptions().setSendTimeout(services.config().bus().timeoutMs()))
        .map(Message::body)
        .onSuccess(snapshot -> {
          misses = 0;
          onProgress.accept(progress(snapshot));
        })
        .onFailure(t -> {
          if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
              && ++misses == MISSES_BEFORE_ORPHANED) {
            // ends or marks failed a job whose process is gone; awaitFinished then sees its final state
            services.jobs().cancel(childId);
          }
        });
  }

  private Future<Map<String, Object>> outcome(JsonObject end) {
    onProgress.accept(progress(end));
    String state = end.getString("state");
    if (JobState.SUCCEEDED.name().equals(state)) {
      Map<String, Object> result = new LinkedHashMap<>();
      JsonObject r = end.getJsonObject("result");
      if (r != null) {
        result.putAll(r.getMap());
      }
      return Future.succeededFuture(result);
    }
    if (JobState.CANCELLED.name().equals(state) && parent.isCancelled()) {
      return Future.failedFuture(new JobCancelledException());
    }
    String kind = end.getString("kind", "job");
    String error = end.getString("error");
    return Future.failedFuture(new ApiError(500, "job failed", kind + " job " + childId + " ended " + state
        + (error == null ? "" : ": " + error)));
  }

  private static Map<String, Object> progress(JsonObject s) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (String key : new String[] {"kind", "state", "phase", "processed", "total", "unit", "percent", "rate",
        "etaSeconds"}) {
      if (s.getValue(key) != null) {
        p.put(key, s.getValue(key));
      }
    }
    JsonObject detail = s.getJsonObject("detail");
    if (detail != null) {
      p.put("detail", detail.getMap());
    }
    return p;
  }
}
