package io.mlserve.recommend.serving;

import io.mlserve.common.ApiError;
import io.mlserve.recommend.data.RatingRange;
import io.mlserve.recommend.data.RatingsBuffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Checks a batch of interactions before anything is written: userId and itemId positive integers (numbers, not
 * strings), rating a number in the configured range, ts optional (epoch seconds or an ISO-8601 instant; default
 * now), no other fields. The first bad element rejects the whole batch with 422 naming its index and field.
 */
public final class InteractionValidator {
  private static final Set<String> FIELDS = Set.of("userId", "itemId", "rating", "ts");

  private InteractionValidator() {
  }

  public static RatingsBuffer validate(JsonArray batch, RatingRange range, int maxBatch) {
    if (batch.isEmpty()) {
      throw ApiError.unprocessable("body", "no interactions: send one object or a non-empty array");
    }
    if (batch.size() > maxBatch) {
      throw ApiError.unprocessable("body", "at most " + maxBatch + " interactions per request, got " + batch.size())
          .with("max", maxBatch);
    }
    RatingsBuffer out = new RatingsBuffer(batch.size());
    long now = Instant.now().getEpochSecond();
    for (int i = 0; i < batch.size(); i++) {
      Object v = batch.getValue(i);
      if (!(v instanceof JsonObject o)) {
        throw bad(i, "body", "element " + i + " must be an object {userId, itemId, rating, ts?}");
      }
      for (String f : o.fieldNames()) {
        if (!FIELDS.contains(f)) {
          throw bad(i, f, "element " + i + ": unknown field '" + f + "'; accepted: userId, itemId, rating, ts");
        }
      }
      int user = positiveId(o, "userId", i);
      int item = positiveId(o, "itemId", i);
      Object r = o.getValue("rating");
      if (!(r instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw bad(i, "rating", "element " + i + ": rating is required and must be a number between "
            + range.min() + " and " + range.max());
      }
      if (!range.contains(n.doubleValue())) {
        throw bad(i, "rating", "element " + i + ": rating " + n + " is outside " + range.min() + "-" + range.max());
      }
      out.add(user, item, n.floatValue(), timestamp(o.getValue("ts"), i, now));
    }
    return out;
  }

  private static int positiveId(JsonObject o, String field, int i) {
    Object v = o.getValue(field);
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && d >= 1 && d <= Integer.MAX_VALUE) {
        return (int) d;
      }
    }
    throw bad(i, field, "element " + i + ": " + field + (v == null ? " is required" : " must be")
        + " a positive integer (1 to " + Integer.MAX_VALUE + ")" + (v == null ? "" : ", got " + describe(v)));
  }

  private static long timestamp(Object v, int i, long now) {
    if (v == null) {
      return now;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 0) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Instant.parse(s).getEpochSecond();
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    throw bad(i, "ts", "element " + i + ": ts must be epoch seconds (a non-negative integer) or an ISO-8601 instant"
        + " such as 2024-01-31T12:00:00Z, got " + describe(v));
  }

  private static String describe(Object v) {
    String s = v instanceof String str ? "'" + str + "'" : String.valueOf(v);
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  private static ApiError bad(int index, String field, String detail) {
    return ApiError.unprocessable(field, detail).with("index", index);
  }
}
