package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.mlserve.covertype.RowValidator;
import io.mlserve.registry.ModelRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validation of {@code POST /predict}: the body is one row object or an array of 1..maxRows of them, every row has
 * exactly the 12 schema fields with the right types and physical ranges. Every problem is a 422 naming the field (and
 * the index for arrays, and the allowed values for categories). Also parses the {@code ?model=} override.
 */
public final class PredictRequest {
  private PredictRequest() {
  }

  /**
   * Validates a decoded JSON body: a {@code Map} (one row) or a {@code List} whose elements are maps (callers
   * unwrap their JSON types to maps). Returns the rows.
   */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> rows(Object body, int maxRows) {
    if (body instanceof Map<?, ?> one) {
      check((Map<String, Object>) one, -1);
      return List.of((Map<String, Object>) one);
    }
    if (!(body instanceof List<?> list)) {
      throw ApiError.unprocessable("body", "expected one object with the 12 Covertype fields or an array of up to "
          + maxRows + " of them");
    }
    if (list.isEmpty()) {
      throw ApiError.unprocessable("body", "the array is empty; send at least one row");
    }
    if (list.size() > maxRows) {
      throw ApiError.unprocessable("body", "at most " + maxRows + " rows per request (inference.maxRowsPerRequest),"
          + " got " + list.size() + "; split the array").with("limit", maxRows).with("rows", list.size());
    }
    List<Map<String, Object>> rows = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> row)) {
        throw ApiError.unprocessable("body", "element " + i + " must be an object with the 12 Covertype fields")
            .with("index", i);
      }
      check((Map<String, Object>) row, i);
      rows.add((Map<String, Object>) row);
    }
    return rows;
  }

  private static void check(Map<String, Object> row, int index) {
    RowValidator.Problem p = RowValidator.validate(row, false);
    if (p == null) {
      return;
    }
    ApiError e = ApiError.unprocessable(p.field(), index >= 0 ? "row " + index + ": " + p.reason() : p.reason());
    if (index >= 0) {
      e = e.with("index", index);
    }
    if (p.allowed() != null) {
      e = e.with("allowed", p.allowed());
    }
    throw e;
  }

  /** A {@code ?model=} value: a name (its production version) or {@code name:version}. */
  public record ModelSpec(String name, Integer version) {
    public String key() {
      return version == null ? name : name + ":" + version;
    }
  }

  /** Parses {@code name} or {@code name:version}; 400 naming the parameter when malformed. */
  public static ModelSpec parseSpec(String raw, String param) {
    String name = raw;
    Integer version = null;
    int colon = raw.lastIndexOf(':');
    if (colon >= 0) {
      name = raw.substring(0, colon);
      String v = raw.substring(colon + 1);
      if (!v.matches("[1-9][0-9]{0,8}")) {
        throw ApiError.badRequest(param, param + " is a model name or name:version with a positive version, got '"
            + (raw.length() > 80 ? raw.substring(0, 80) + "..." : raw) + "'");
      }
      version = Integer.parseInt(v);
    }
    try {
      ModelRegistry.checkName(name);
    } catch (ApiError e) {
      throw ApiError.badRequest(param, e.getMessage());
    }
    return new ModelSpec(name, version);
  }
}
