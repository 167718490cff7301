package io.mlserve.app;

import io.vertx.ext.web.Router;

/** A group of HTTP routes contributed by one capability. Mounted on every HTTP server instance of the process. */
public interface RouteModule {
  void mount(Router router);
}
