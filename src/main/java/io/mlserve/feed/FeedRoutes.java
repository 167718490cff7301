package io.mlserve.feed;

import io.mlserve.api.Auth;
import io.mlserve.api.QueryParams;
import io.mlserve.api.RequestBodies;
import io.mlserve.api.Responses;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The Covertype feed over HTTP (role {@code feeder}): {@code GET /feed/status}, {@code GET /feed/batches/{n}}
 * (404 unknown, 425 not released yet) and {@code POST /feed/restart} (admin).
 */
public final class FeedRoutes implements RouteModule {
  private final Services services;

  public FeedRoutes(Services services) {
    this.services = services;
  }

  private Future<Feed> feed() {
    return services.shared(FeedHolder.class, FeedHolder::new).feed();
  }

  @Override
  public void mount(Router router) {
    var sec = services.config().security();
    Auth.read(router.get("/feed/status"), sec)
        .handler(ctx -> Responses.reply(ctx, feed().map(Feed::status)));
    Auth.read(router.get("/feed/batches/:n"), sec).handler(this::batch);
    Auth.admin(router.post("/feed/restart"), sec).handler(this::restart);
  }

  private void batch(RoutingContext ctx) {
    int n = QueryParams.parseInt("n", ctx.pathParam("n"), 0, Integer.MAX_VALUE);
    feed().onFailure(ctx::fail).onSuccess(feed -> {
      Buffer body;
      try {
        body = feed.batch(n);
      } catch (ApiError e) {
        if (e.status() == 425) {
          long waitMs = e.toJson().getLong("retryAfterMs");
          ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, (waitMs + 999) / 1000)));
        }
        ctx.fail(e);
        return;
      }
      switch (feed.faults().next()) {
        case ERROR -> ctx.fail(new ApiError(500, "injected fault", "feed.faults.errorRate made this request fail"));
        case STALL -> services.vertx().setTimer(Math.max(1, feed.stallMs()), t -> Responses.send(ctx, 200, body));
        default -> Responses.send(ctx, 200, body);
      }
    });
  }

  private void restart(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx, new JsonObject());
    if (!body.isEmpty()) {
      String key = body.fieldNames().iterator().next();
      throw ApiError.unprocessable(key, "unknown field '" + key + "'; POST /feed/restart takes no parameters");
    }
    Responses.reply(ctx, feed().map(feed -> {
      feed.restart();
      return feed.status();
    }));
  }
}
