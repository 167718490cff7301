package io.mlserve.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Rejects request bodies that are not JSON with 415 before anything reads them. Bodiless POSTs are allowed (several
 * admin routes take an optional body).
 */
public final class JsonContentType implements Handler<RoutingContext> {
  @Override
  public void handle(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH) {
      String length = ctx.request().getHeader("Content-Length");
      boolean hasBody = ctx.request().getHeader("Transfer-Encoding") != null
          || (length != null && !length.trim().equals("0"));
      if (hasBody && !isJson(ctx.request().getHeader("Content-Type"))) {
        ctx.fail(415);
        return;
      }
    }
    ctx.next();
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return base.equals("application/json") || (base.startsWith("application/") && base.endsWith("+json"));
  }
}
