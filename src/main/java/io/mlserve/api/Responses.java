package io.mlserve.api;

import io.mlserve.common.ApiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writing JSON responses and errors. */
public final class Responses {
  public static final String JSON = "application/json";

  private Responses() {
  }

  public static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
    return send(ctx, status, body.toBuffer());
  }

  public static Future<Void> json(RoutingContext ctx, int status, JsonArray body) {
    return send(ctx, status, body.toBuffer());
  }

  public static Future<Void> send(RoutingContext ctx, int status, Buffer body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return Future.succeededFuture();
    }
    return ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body);
  }

  public static Future<Void> error(RoutingContext ctx, ApiError error) {
    return json(ctx, error.status(), error.toJson());
  }

  /** Completes the request with the future's JSON (200) or its failure mapped to an error response. */
  public static void reply(RoutingContext ctx, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }
}
