package io.mlserve.jobs;

import io.mlserve.api.Auth;
import io.mlserve.api.Responses;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/** {@code GET /jobs}, {@code GET /jobs/{jobId}} and {@code DELETE /jobs/{jobId}} (cancel) for every kind of job. */
public final class JobRoutes implements RouteModule {
  private static final Pattern KIND = Pattern.compile("[a-z0-9._-]{1,64}");
  private final Services services;

  public JobRoutes(Services services) {
    this.services = services;
  }

  private Jobs jobs() {
    return services.jobs();
  }

  @Override
  public void mount(Router router) {
    var sec = services.config().security();
    Auth.read(router.get("/jobs"), sec).handler(this::list);
    Auth.read(router.get("/jobs/:jobId"), sec)
        .handler(ctx -> Responses.reply(ctx, jobs().status(ctx.pathParam("jobId"))));
    Auth.admin(router.delete("/jobs/:jobId"), sec)
        .handler(ctx -> Responses.reply(ctx, jobs().cancel(ctx.pathParam("jobId"))));
  }

  private void list(RoutingContext ctx) {
    String kind = ctx.queryParams().get("kind");
    if (kind != null && !KIND.matcher(kind).matches()) {
      throw ApiError.badRequest("kind", "kind is 1-64 characters of a-z, 0-9, '.', '_' or '-'");
    }
    int limit = io.mlserve.api.QueryParams.intParam(ctx, "limit", 50, 1, 1000);
    jobs().list(kind, limit).onComplete(ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, new JsonObject().put("jobs", ar.result()));
      } else {
        ctx.fail(ApiError.unavailable("job store (MongoDB) is unreachable: " + ar.cause().getMessage()));
      }
    });
  }
}
