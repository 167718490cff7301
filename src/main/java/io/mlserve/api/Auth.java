package io.mlserve.api;

import io.mlserve.common.ApiError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Bearer-key checks. With {@code security.adminKey} set, state-changing admin routes need
 * {@code Authorization: Bearer <key>}; with {@code security.readKey} set, read routes need it (the admin key works
 * there too). Comparison is constant-time so response timing reveals nothing about the key.
 */
public final class Auth {
  private Auth() {
  }

  /** Guards a state-changing route; a no-op when no admin key is configured. */
  public static Handler<RoutingContext> admin(String adminKey) {
    return ctx -> check(ctx, adminKey, null);
  }

  /** Guards a read route; a no-op when no read key is configured. */
  public static Handler<RoutingContext> read(String readKey, String adminKey) {
    return ctx -> check(ctx, readKey, adminKey);
  }

  private static void check(RoutingContext ctx, String key, String alsoAccepted) {
    if (key == null || key.isEmpty()) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    if (given != null && (matches(given, key) || (alsoAccepted != null && !alsoAccepted.isEmpty()
        && matches(given, alsoAccepted)))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    ctx.fail(new ApiError(401, "unauthorized",
        given == null ? "this route needs 'Authorization: Bearer <key>'" : "the bearer key is not valid here"));
  }

  static boolean matches(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }
}
