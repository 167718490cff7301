package io.mlserve.pipeline;

import io.mlserve.api.Auth;
import io.mlserve.api.QueryParams;
import io.mlserve.api.RequestBodies;
import io.mlserve.api.Responses;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.jobs.Job;
import io.mlserve.jobs.Jobs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /pipeline/*} (role api; starting and cancelling need the admin key, reading needs the read key, when set): start a run, list runs, follow one (each step's state,
 * counts and timings), cancel one, and see the schedule.
 */
public final class PipelineRoutes implements RouteModule {
  private final Services services;

  public PipelineRoutes(Services services) {
    this.services = services;
  }

  @Override
  public void mount(Router router) {
    var sec = services.config().security();
    Auth.admin(router.post("/pipeline/run"), sec).handler(this::run);
    Auth.read(router.get("/pipeline/runs"), sec).handler(this::list);
    Auth.read(router.get("/pipeline/runs/:runId"), sec)
        .handler(ctx -> Responses.reply(ctx, find(ctx.pathParam("runId")).map(PipelineRoutes::present)));
    Auth.admin(router.delete("/pipeline/runs/:runId"), sec).handler(this::cancel);
    Auth.read(router.get("/pipeline/schedule"), sec).handler(this::schedule);
  }

  private void run(RoutingContext ctx) {
    PipelineRequest request = PipelineRequest.parse(RequestBodies.object(ctx, new JsonObject()));
    Job job = PipelineRunner.of(services).start(request.steps(), "api", request.params());
    ctx.response().putHeader("Location", "/pipeline/runs/" + job.id());
    Responses.json(ctx, 202, present(job.snapshot()));
  }

  private void list(RoutingContext ctx) {
    int limit = QueryParams.intParam(ctx, "limit", 20, 1, 500);
    services.jobs().list(PipelineRunner.JOB_KIND, limit).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ApiError.unavailable("run history (MongoDB) is unreachable: " + ar.cause().getMessage()));
        return;
      }
      JsonArray runs = new JsonArray();
      ar.result().forEach(o -> runs.add(present((JsonObject) o)));
      Responses.json(ctx, 200, new JsonObject().put("runs", runs));
    });
  }

  private void cancel(RoutingContext ctx) {
    String runId = ctx.pathParam("runId");
    Responses.reply(ctx, find(runId)
        .compose(found -> services.jobs().cancel(runId))
        .map(PipelineRoutes::present));
  }

  private void schedule(RoutingContext ctx) {
    var cfg = services.config().pipeline();
    JsonObject body = new JsonObject()
        .put("schedule", cfg.schedule().isEmpty() ? null : cfg.schedule())
        .put("scheduledSteps", new JsonArray(cfg.scheduledSteps().stream().map(PipelineStep::id).toList()))
        .put("runOnStart", cfg.runOnStart());
    PipelineVerticle scheduler = services.shared(PipelineVerticle.class, () -> null);
    body.put("nextRunAt", scheduler == null ? null
        : scheduler.nextRun().map(t -> t.toOffsetDateTime().toString()).orElse(null));
    Job running = PipelineRunner.of(services).running();
    body.put("runningRunId", running == null ? null : running.id());
    Responses.json(ctx, 200, body);
  }

  /** The job behind a run id; 404 when there is none or it is not a pipeline run. */
  private Future<JsonObject> find(String runId) {
    Jobs.checkId(runId);
    return services.jobs().status(runId).compose(snapshot -> PipelineRunner.JOB_KIND.equals(snapshot.getString("kind"))
        ? Future.succeededFuture(snapshot)
        : Future.failedFuture(ApiError.notFound("no pipeline run " + runId)));
  }

  /** A run as users see it: the job's state and timings with the steps from its detail. */
  static JsonObject present(JsonObject job) {
    JsonObject detail = job.getJsonObject("detail", new JsonObject());
    JsonObject params = job.getJsonObject("params", new JsonObject());
    return new JsonObject()
        .put("runId", job.getString("jobId"))
        .put("state", job.getString("state"))
        .put("trigger", params.getString("trigger"))
        .put("currentStep", "RUNNING".equals(job.getString("state")) ? job.getString("phase") : null)
        .put("stepsDone", job.getLong("processed"))
        .put("stepsTotal", job.getLong("total"))
        .put("startedAt", job.getString("startedAt"))
        .put("finishedAt", job.getString("finishedAt"))
        .put("durationMs", job.getLong("durationMs"))
        .put("cancelRequested", job.getBoolean("cancelRequested", false))
        .put("error", job.getString("error"))
        .put("params", params.getJsonObject("params"))
        .put("steps", detail.getJsonArray("steps", new JsonArray()));
  }
}
