package io.mlserve.api;

import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a JSON error body. Unknown routes, wrong methods, oversized or mistyped bodies come from
 * Vert.x Web as status codes; our own code fails with {@link ApiError}. Anything else is a bug: logged with its stack
 * trace, answered with a 500 that reveals nothing.
 */
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {
  }

  public static void install(Router router) {
    router.route().failureHandler(Failures::handle);
    router.errorHandler(404, ctx -> Responses.error(ctx, ApiError.notFound(
        "no route " + ctx.request().method() + " " + ctx.normalizedPath() + "; see /docs for the API")));
    router.errorHandler(405, ctx -> Responses.error(ctx, new ApiError(405, "method not allowed",
        ctx.request().method() + " is not supported on " + ctx.normalizedPath())));
    router.errorHandler(413, ctx -> Responses.error(ctx, tooLarge()));
    router.errorHandler(415, ctx -> Responses.error(ctx, unsupportedMediaType(ctx)));
    router.errorHandler(500, Failures::handle);
  }

  static ApiError tooLarge() {
    return new ApiError(413, "payload too large", "request body exceeds the configured limit (http.bodyLimitBytes)");
  }

  static ApiError unsupportedMediaType(RoutingContext ctx) {
    String ct = ctx.request().getHeader("Content-Type");
    return new ApiError(415, "unsupported media type",
        "send the body as application/json" + (ct == null ? " (no Content-Type given)" : " (got " + ct + ")"));
  }

  static void handle(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    Throwable t = ctx.failure();
    ApiError error;
    if (t instanceof ApiError e) {
      error = e;
    } else if (t instanceof DecodeException e) {
      error = ApiError.badRequest("body", "malformed JSON: " + e.getMessage().split("\n", 2)[0]);
    } else if (t instanceof HttpException he) {
      error = fromStatus(ctx, he.getStatusCode(), he.getPayload());
    } else if (t == null) {
      error = fromStatus(ctx, ctx.statusCode(), null);
    } else if (t instanceof io.vertx.core.eventbus.ReplyException) {
      error = Bus.toApiError("event bus", t);
    } else {
      LOG.error("unhandled failure on {} {}", ctx.request().method(), ctx.normalizedPath(), t);
      error = new ApiError(500, "internal error", "the request failed inside the service; see its logs");
    }
    Responses.error(ctx, error);
  }

  private static ApiError fromStatus(RoutingContext ctx, int status, String payload) {
    return switch (status) {
      case 400 -> ApiError.badRequest(payload == null ? "bad request" : payload);
      case 401 -> new ApiError(401, "unauthorized", "missing or wrong bearer token");
      case 403 -> new ApiError(403, "forbidden", "not allowed");
      case 404 -> ApiError.notFound("no route " + ctx.request().method() + " " + ctx.normalizedPath());
      case 405 -> new ApiError(405, "method not allowed", ctx.request().method() + " is not supported here");
      case 413 -> tooLarge();
      case 415 -> unsupportedMediaType(ctx);
      case 503 -> ApiError.unavailable(payload == null ? "service unavailable" : payload);
      default -> status >= 400 && status < 500
          ? new ApiError(status, "bad request", payload == null ? "request rejected" : payload)
          : new ApiError(500, "internal error", "the request failed inside the service; see its logs");
    };
  }
}
