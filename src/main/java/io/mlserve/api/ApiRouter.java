package io.mlserve.api;

import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;

import java.util.List;

/** Builds the router of one HTTP server instance: cross-cutting handlers first, then each module's routes. */
public final class ApiRouter {
  private ApiRouter() {
  }

  public static Router create(Vertx vertx, Services services, List<RouteModule> modules) {
    Router router = Router.router(vertx);
    router.route().handler(new AccessLog());
    router.route().handler(TimeoutHandler.create(services.config().http().requestTimeoutMs(), 503));
    router.route().handler(new JsonContentType());
    router.route().handler(BodyHandler.create(false)
        .setBodyLimit(services.config().http().bodyLimitBytes())
        .setHandleFileUploads(false));
    for (RouteModule module : modules) {
      module.mount(router);
    }
    Failures.install(router);
    return router;
  }
}
