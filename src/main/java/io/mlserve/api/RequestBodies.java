package io.mlserve.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.mlserve.common.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Reading JSON request bodies, with 400s that say what is wrong instead of a decoder stack trace. */
public final class RequestBodies {
  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private RequestBodies() {
  }

  /** The body as a JSON value (object, array, ...); 400 when missing or malformed. */
  public static Object json(RoutingContext ctx) {
    Buffer buf = ctx.body() == null ? null : ctx.body().buffer();
    if (buf == null || buf.length() == 0) {
      throw ApiError.badRequest("body", "request body is empty; send a JSON document");
    }
    rejectDuplicateKeys(buf);
    try {
      return Json.decodeValue(buf);
    } catch (DecodeException e) {
      throw ApiError.badRequest("body", "malformed JSON: " + shorten(e.getMessage()));
    }
  }

  /**
   * A field given twice in one object is ambiguous (Vert.x keeps the last, other parsers the first), so it is a 400
   * rather than a silent choice. One streaming pass over the bytes, before the tree is built.
   */
  private static void rejectDuplicateKeys(Buffer buf) {
    try (JsonParser p = STRICT.createParser(buf.getBytes())) {
      while (p.nextToken() != null) {
        // every token is read: the duplicate check runs as each field name is seen
      }
    } catch (StreamReadException e) {
      String message = e.getOriginalMessage() == null ? "cannot parse" : e.getOriginalMessage();
      throw ApiError.badRequest("body", "malformed JSON: " + shorten(message));
    } catch (java.io.IOException e) {
      throw ApiError.badRequest("body", "cannot read the body: " + e.getMessage());
    }
  }

  /** The body as a JSON object; an empty body gives {@code emptyDefault} when it is non-null. */
  public static JsonObject object(RoutingContext ctx, JsonObject emptyDefault) {
    Buffer buf = ctx.body() == null ? null : ctx.body().buffer();
    if ((buf == null || buf.length() == 0) && emptyDefault != null) {
      return emptyDefault;
    }
    Object value = json(ctx);
    if (value instanceof JsonObject o) {
      return o;
    }
    throw ApiError.badRequest("body", "expected a JSON object, got " + typeName(value));
  }

  public static JsonObject object(RoutingContext ctx) {
    return object(ctx, null);
  }

  /** The body as an object or an array of objects (many routes accept one item or a batch). */
  public static JsonArray objectOrArray(RoutingContext ctx) {
    Object value = json(ctx);
    if (value instanceof JsonObject o) {
      return new JsonArray().add(o);
    }
    if (value instanceof JsonArray a) {
      return a;
    }
    throw ApiError.badRequest("body", "expected a JSON object or an array of objects, got " + typeName(value));
  }

  public static String typeName(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    return value.getClass().getSimpleName();
  }

  private static String shorten(String message) {
    if (message == null) {
      return "cannot parse";
    }
    // Jackson appends the whole source text; keep the first line, which says what and where
    String first = message.split("\n", 2)[0];
    return first.length() > 300 ? first.substring(0, 300) + "..." : first;
  }
}
