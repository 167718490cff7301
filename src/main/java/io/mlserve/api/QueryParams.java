package io.mlserve.api;

import io.mlserve.common.ApiError;
import io.vertx.ext.web.RoutingContext;

/** Typed query and path parameters with 400s that name the parameter and the accepted range. */
public final class QueryParams {
  private QueryParams() {
  }

  public static int intParam(RoutingContext ctx, String name, int defaultValue, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return defaultValue;
    }
    return parseInt(name, raw, min, max);
  }

  public static int parseInt(String name, String raw, int min, int max) {
    return (int) parseLong(name, raw, min, max);
  }

  public static long parseLong(String name, String raw, long min, long max) {
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name, name + " must be an integer between " + min + " and " + max
          + ", got '" + abbreviate(raw) + "'");
    }
    if (value < min || value > max) {
      throw ApiError.badRequest(name, name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
