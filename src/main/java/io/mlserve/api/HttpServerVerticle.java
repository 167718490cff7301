package io.mlserve.api;

import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server instance; the process deploys one per event loop and Vert.x spreads connections across them.
 * Stopping it shuts the server down gracefully: no new connections, in-flight requests finish within the grace period.
 */
public final class HttpServerVerticle extends VerticleBase {
  private final Services services;
  private final List<RouteModule> modules;
  private HttpServer server;

  public HttpServerVerticle(Services services, List<RouteModule> modules) {
    this.services = services;
    this.modules = modules;
  }

  @Override
  public Future<?> start() {
    var http = services.config().http();
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.host())
            .setPort(http.port())
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            .setReusePort(http.reusePort())
            .setIdleTimeout(120)
            .setIdleTimeoutUnit(TimeUnit.SECONDS))
        .requestHandler(drainAware(ApiRouter.create(vertx, services, modules)));
    return server.listen();
  }

  /**
   * While the process drains, every response says {@code Connection: close} and its connection is closed after it,
   * so keep-alive clients move off this server between two requests instead of having a request in transit when the
   * shutdown closes their connection.
   */
  private io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> drainAware(
      io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> router) {
    return req -> {
      if (services.draining() && req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
        req.response().putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, io.vertx.core.http.HttpHeaders.CLOSE);
        req.response().endHandler(v -> req.connection().close());
      }
      router.handle(req);
    };
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(services.config().http().shutdownGraceMs(), TimeUnit.MILLISECONDS);
  }
}
