package io.mlserve.api;

import io.mlserve.app.Role;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * Routes every mlserve process serves, whatever its roles: health, metrics, version and the API docs. They let
 * Prometheus, load balancers and people inspect any process the same way.
 */
public final class ManagementRoutes implements RouteModule {
  /** The Swagger UI webjar's version, set by Maven filtering of mlserve-build.properties. */
  private static final String SWAGGER_ROOT = "META-INF/resources/webjars/swagger-ui/" + SwaggerUi.VERSION;

  private final Services services;

  public ManagementRoutes(Services services) {
    this.services = services;
  }

  @Override
  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(services.health()));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(services.metrics()));
    router.get("/version").handler(ctx -> Responses.json(ctx, 200, versionJson()));
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml")
        .sendFile("openapi.yaml"));
    router.get("/docs").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .sendFile("docs/index.html"));
    router.get("/docs/").handler(ctx -> ctx.redirect("/docs"));
    router.get("/docs/ui/*").handler(StaticHandler.create(SWAGGER_ROOT).setCachingEnabled(true));
  }

  private JsonObject versionJson() {
    JsonArray roles = new JsonArray();
    for (Role r : Role.values()) {
      if (services.runs(r)) {
        roles.add(r.id());
      }
    }
    return services.build().toJson()
        .put("roles", roles)
        .put("verticles", new JsonArray(services.deployedVerticles()));
  }
}
