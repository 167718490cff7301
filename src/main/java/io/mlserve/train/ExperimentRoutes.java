package io.mlserve.train;

import io.mlserve.api.Auth;
import io.mlserve.api.QueryParams;
import io.mlserve.api.RequestBodies;
import io.mlserve.api.Responses;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET /experiments} (newest first; filters status, mode, jobId), {@code GET /experiments/{runId}} and
 * {@code POST /train} (starts a train or tune job on the trainer role; 202 with the job id).
 */
public final class ExperimentRoutes implements RouteModule {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final List<String> STATUSES = List.of(ExperimentStore.RUNNING, ExperimentStore.SUCCEEDED,
      ExperimentStore.FAILED, ExperimentStore.CANCELLED);
  private final Services services;
  private final ExperimentStore store;

  public ExperimentRoutes(Services services) {
    this.services = services;
    this.store = new ExperimentStore(services.mongo());
  }

  @Override
  public void mount(Router router) {
    var sec = services.config().security();
    Auth.read(router.get("/experiments"), sec).handler(this::list);
    Auth.read(router.get("/experiments/:runId"), sec)
        .handler(ctx -> Responses.reply(ctx, store.get(id("runId", ctx.pathParam("runId")))));
    Auth.admin(router.post("/train"), sec).handler(this::train);
  }

  private void list(RoutingContext ctx) {
    JsonObject filter = new JsonObject();
    String status = ctx.queryParams().get("status");
    if (status != null) {
      if (!STATUSES.contains(status)) {
        throw ApiError.badRequest("status", "status must be one of " + String.join(", ", STATUSES))
            .with("allowed", STATUSES);
      }
      filter.put("status", status);
    }
    String mode = ctx.queryParams().get("mode");
    if (mode != null) {
      if (!TrainRequest.MODES.contains(mode)) {
        throw ApiError.badRequest("mode", "mode must be train or tune");
      }
      filter.put("mode", mode);
    }
    String jobId = ctx.queryParams().get("jobId");
    if (jobId != null) {
      filter.put("jobId", id("jobId", jobId));
    }
    int limit = QueryParams.intParam(ctx, "limit", 50, 1, 1000);
    store.list(filter, limit).onComplete(ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, new JsonObject().put("experiments", ar.result()));
      } else {
        ctx.fail(ApiError.unavailable("experiment store (MongoDB) is unreachable: " + ar.cause().getMessage()));
      }
    });
  }

  private void train(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx, new JsonObject());
    Bus.request(services.vertx(), TrainerVerticle.RUN_ADDRESS, body, services.config().bus().timeoutMs())
        .onSuccess(reply -> Responses.json(ctx, 202, reply))
        .onFailure(ctx::fail);
  }

  private static String id(String field, String raw) {
    if (raw == null || !ID.matcher(raw).matches()) {
      throw ApiError.badRequest(field, field + " is 1-64 letters, digits, '-' or '_'");
    }
    return raw;
  }
}
