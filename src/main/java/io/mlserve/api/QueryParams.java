package io.mlserve.api;

import io.mlserve.common.ApiError;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * Typed query and path parameters with 400s that name the parameter and the accepted range. Only ASCII decimal
 * integers are accepted: {@code Long.parseLong} alone also takes other scripts' digits ("١٢" is 12) and a sign.
 */
public final class QueryParams {
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

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
      value = parse(raw);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name, name + " must be an integer between " + min + " and " + max
          + ", got '" + abbreviate(raw) + "'");
    }
    if (value < min || value > max) {
      throw ApiError.badRequest(name, name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  private static long parse(String raw) {
    String s = raw.trim();
    if (!INTEGER.matcher(s).matches()) {
      throw new NumberFormatException(s);
    }
    return Long.parseLong(s);
  }

  static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
