package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.mlserve.inference.SelectionStore.Selection;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.json.JsonObject;

/** Validation of {@code POST /select-model {"model_name": "...", "version"?: n}}: every problem is a 422. */
final class SelectRequest {
  private SelectRequest() {
  }

  static Selection parse(JsonObject body) {
    for (String key : body.fieldNames()) {
      if (!key.equals("model_name") && !key.equals("version")) {
        throw ApiError.unprocessable(key, "unknown field '" + key + "'; send {\"model_name\": \"...\", "
            + "\"version\": n} (version optional)");
      }
    }
    Object name = body.getValue("model_name");
    if (name == null) {
      throw ApiError.unprocessable("model_name", "model_name is required");
    }
    if (!(name instanceof String s)) {
      throw ApiError.unprocessable("model_name", "model_name must be a string");
    }
    try {
      ModelRegistry.checkName(s);
    } catch (ApiError e) {
      throw ApiError.unprocessable("model_name", e.getMessage());
    }
    Object v = body.getValue("version");
    Integer version = null;
    if (v != null) {
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1
          || n.doubleValue() > Integer.MAX_VALUE) {
        throw ApiError.unprocessable("version", "version must be a positive integer (omit it to follow the "
            + "production version)");
      }
      version = n.intValue();
    }
    return new Selection(s, version, "POST /select-model");
  }
}
