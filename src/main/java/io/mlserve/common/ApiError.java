package io.mlserve.common;

import io.vertx.core.json.JsonObject;

/**
 * A failure meant for the client: an HTTP status and the JSON body {@code {"error", "detail", "field"?, ...}}.
 * Thrown or failed with anywhere (route handlers, event-bus consumers, algorithm adapters); the HTTP layer and the
 * event-bus helpers carry it to the client unchanged. Never carries a stack trace.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String error;
  private final String field;
  private final JsonObject extra;

  public ApiError(int status, String error, String detail, String field, JsonObject extra) {
    super(detail == null ? error : detail, null, false, false);
    this.status = status;
    this.error = error;
    this.field = field;
    this.extra = extra;
  }

  public ApiError(int status, String error, String detail) {
    this(status, error, detail, null, null);
  }

  public static ApiError badRequest(String detail) {
    return new ApiError(400, "bad request", detail);
  }

  public static ApiError badRequest(String field, String detail) {
    return new ApiError(400, "bad request", detail, field, null);
  }

  public static ApiError unprocessable(String field, String detail) {
    return new ApiError(422, "validation failed", detail, field, null);
  }

  public static ApiError notFound(String detail) {
    return new ApiError(404, "not found", detail);
  }

  public static ApiError conflict(String detail) {
    return new ApiError(409, "conflict", detail);
  }

  public static ApiError unavailable(String detail) {
    return new ApiError(503, "service unavailable", detail);
  }

  /** Adds extra JSON fields (e.g. {@code allowed}, {@code index}) to the body. */
  public ApiError with(String key, Object value) {
    JsonObject e = extra == null ? new JsonObject() : extra.copy();
    e.put(key, value);
    return new ApiError(status, error, getMessage(), field, e);
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public String field() {
    return field;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", error).put("detail", getMessage());
    if (field != null) {
      json.put("field", field);
    }
    if (extra != null) {
      extra.forEach(e -> json.put(e.getKey(), e.getValue()));
    }
    return json;
  }

  /** Rebuilds an error from its JSON body (the event-bus carries it as a failure message). */
  public static ApiError fromJson(int status, JsonObject json) {
    JsonObject extra = json.copy();
    String error = (String) extra.remove("error");
    String detail = (String) extra.remove("detail");
    String field = (String) extra.remove("field");
    return new ApiError(status, error == null ? "error" : error, detail, field, extra.isEmpty() ? null : extra);
  }
}
