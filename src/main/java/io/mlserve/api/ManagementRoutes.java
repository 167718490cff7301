package io.mlserve.api;

import io.mlserve.app.Role;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.cli.Logging;
import io.mlserve.common.ApiError;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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

  private static final Set<String> LEVELS = new LinkedHashSet<>(List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"));

  private final Services services;

  public ManagementRoutes(Services services) {
    this.services = services;
  }

  @Override
  public void mount(Router router) {
    Auth.open(router.get("/health/live")).handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "UP")));
    Auth.open(router.get("/health/ready")).handler(HealthCheckHandler.createWithHealthChecks(services.health()));
    Auth.open(router.get("/metrics")).handler(PrometheusScrapingHandler.create(services.metrics()));
    Auth.open(router.get("/version")).handler(ctx -> Responses.json(ctx, 200, versionJson()));
    Auth.open(router.get("/openapi.yaml")).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml")
        .sendFile("openapi.yaml"));
    Auth.open(router.get("/docs")).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .sendFile("docs/index.html"));
    Auth.open(router.get("/docs/")).handler(ctx -> ctx.redirect("/docs"));
    Auth.open(router.get("/docs/ui/*")).handler(StaticHandler.create(SWAGGER_ROOT).setCachingEnabled(true));
    var security = services.config().security();
    Auth.read(router.get("/admin/log-level"), security)
        .handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("level", Logging.rootLevel())));
    Auth.admin(router.put("/admin/log-level"), security).handler(this::setLogLevel);
  }

  /** Changes the root log level at run time, e.g. to DEBUG while investigating, without a restart. */
  private void setLogLevel(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx);
    Object level = body.getValue("level");
    if (!(level instanceof String s) || !LEVELS.contains(s.toUpperCase(Locale.ROOT))) {
      throw ApiError.unprocessable("level", "level must be one of " + String.join(", ", LEVELS))
          .with("allowed", new JsonArray(List.copyOf(LEVELS)));
    }
    for (String key : body.fieldNames()) {
      if (!key.equals("level")) {
        throw ApiError.unprocessable(key, "unknown field '" + key + "'; only 'level' is accepted");
      }
    }
    Logging.setLevel(s.toUpperCase(Locale.ROOT));
    Responses.json(ctx, 200, new JsonObject().put("level", Logging.rootLevel()));
  }

  private JsonObject versionJson() {
    JsonArray roles = new JsonArray();
    for (Role r : Role.values()) {
      if (services.runs(r)) {
        roles.add(r.id());
      }
    }
    return services.build().toJson()
        .put("node", java.lang.management.ManagementFactory.getRuntimeMXBean().getName())
        .put("roles", roles)
        .put("verticles", new JsonArray(services.deployedVerticles()));
  }
}
