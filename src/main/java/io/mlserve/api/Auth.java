package io.mlserve.api;

import io.mlserve.common.ApiError;
import io.mlserve.config.MlserveConfig.SecurityConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Bearer-key checks. With {@code security.adminKey} set, state-changing admin routes need
 * {@code Authorization: Bearer <key>}; with {@code security.readKey} set, read and client routes need it (the admin
 * key works there too). Comparison is constant-time so response timing reveals nothing about the key.
 *
 * <p>Routes are declared through {@link #admin(Route, SecurityConfig)}, {@link #read(Route, SecurityConfig)} or
 * {@link #open(Route)}, which record the {@link Access} level in the route's metadata, so a test can walk the router
 * and prove every route is classified and guarded as documented.
 */
public final class Auth {
  /** Route metadata key holding the route's {@link Access}. */
  public static final String ACCESS = "mlserve.access";

  /** Who may call a route. */
  public enum Access {
    /** Anyone (health, metrics, version, docs). */
    OPEN,
    /** The read key when one is set (or the admin key): reads, predictions, interactions. */
    READ,
    /** The admin key when one is set: everything that changes what the platform serves or runs. */
    ADMIN
  }

  private Auth() {
  }

  /** Marks {@code route} as a state-changing admin route and guards it with the admin key. */
  public static Route admin(Route route, SecurityConfig security) {
    return route.putMetadata(ACCESS, Access.ADMIN).handler(admin(security.adminKey()));
  }

  /** Marks {@code route} as a read (or client) route and guards it with the read key. */
  public static Route read(Route route, SecurityConfig security) {
    return route.putMetadata(ACCESS, Access.READ).handler(read(security.readKey(), security.adminKey()));
  }

  /** Marks {@code route} as open to anyone whatever keys are set. */
  public static Route open(Route route) {
    return route.putMetadata(ACCESS, Access.OPEN);
  }

  /** The access level recorded on a route, or null when it was declared without one. */
  public static Access accessOf(Route route) {
    Object a = route.metadata().get(ACCESS);
    return a instanceof Access access ? access : null;
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
    // both keys are always compared, so the time taken does not tell which one (if any) was close
    boolean ok = given != null & (matches(given, key) | (alsoAccepted != null && !alsoAccepted.isEmpty()
        && matches(given, alsoAccepted)));
    if (ok) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    ctx.fail(new ApiError(401, "unauthorized",
        given == null ? "this route needs 'Authorization: Bearer <key>'" : "the bearer key is not valid here"));
  }

  static boolean matches(String given, String expected) {
    if (given == null) {
      return false;
    }
    // MessageDigest.isEqual is constant-time for equal lengths; hashing first hides the key's length too
    return MessageDigest.isEqual(sha256(given), sha256(expected));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
