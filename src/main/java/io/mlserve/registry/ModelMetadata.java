package io.mlserve.registry;

import io.mlserve.covertype.FeatureEncoding;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code metadata.json} of one model version (format in docs/architecture.md): how to encode inputs, the ONNX
 * input/output names, the class labels, and what the model was trained on and scored. Parsing validates everything
 * serving relies on, so a broken file is rejected when it is loaded, not at the first prediction.
 */
public final class ModelMetadata {
  private final JsonObject json;
  private final FeatureEncoding encoding;
  private final long[] classes;

  private ModelMetadata(JsonObject json, FeatureEncoding encoding, long[] classes) {
    this.json = json;
    this.encoding = encoding;
    this.classes = classes;
  }

  /** @throws IllegalArgumentException naming what is missing or inconsistent */
  public static ModelMetadata parse(JsonObject json) {
    require(json, "name", String.class);
    require(json, "features", JsonArray.class);
    require(json, "classes", JsonArray.class);
    require(json, "onnx", JsonObject.class);
    JsonObject onnx = json.getJsonObject("onnx");
    for (String key : List.of("input", "label", "probabilities")) {
      require(onnx, key, String.class);
    }
    Object sha = onnx.getValue("sha256");
    if (sha != null && !(sha instanceof String h && h.matches("[0-9a-f]{64}"))) {
      throw new IllegalArgumentException("metadata.json: 'onnx.sha256' must be 64 lowercase hex digits");
    }
    FeatureEncoding encoding;
    try {
      encoding = FeatureEncoding.fromSpec(json.getJsonArray("features").copy().getList().stream()
          .map(o -> o instanceof JsonObject j ? j.getMap() : o).toList());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("metadata.json features: " + e.getMessage(), e);
    }
    Integer width = json.getInteger("inputWidth");
    if (width != null && width != encoding.width()) {
      throw new IllegalArgumentException("metadata.json inputWidth " + width + " does not match the features ("
          + encoding.width() + " columns)");
    }
    JsonArray cls = json.getJsonArray("classes");
    long[] classes = new long[cls.size()];
    for (int i = 0; i < classes.length; i++) {
      if (!(cls.getValue(i) instanceof Number n)) {
        throw new IllegalArgumentException("metadata.json classes must be integers");
      }
      classes[i] = n.longValue();
    }
    if (classes.length < 2) {
      throw new IllegalArgumentException("metadata.json needs at least two classes");
    }
    return new ModelMetadata(json.copy(), encoding, classes);
  }

  private static void require(JsonObject json, String key, Class<?> type) {
    Object v = json.getValue(key);
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException("metadata.json: '" + key + "' must be a "
          + type.getSimpleName().replace("Json", "JSON ").toLowerCase());
    }
  }

  public String name() {
    return json.getString("name");
  }

  /** The registry's version; 0 before registration assigns one. */
  public int version() {
    return json.getInteger("version", 0);
  }

  public ModelMetadata withVersion(int version) {
    return new ModelMetadata(json.copy().put("version", version), encoding, classes);
  }

  public FeatureEncoding encoding() {
    return encoding;
  }

  public long[] classes() {
    return classes.clone();
  }

  public String inputName() {
    return json.getJsonObject("onnx").getString("input");
  }

  public String labelOutput() {
    return json.getJsonObject("onnx").getString("label");
  }

  public String probabilitiesOutput() {
    return json.getJsonObject("onnx").getString("probabilities");
  }

  /** Hex SHA-256 of model.onnx as written by the registry, or null for files made before it was recorded. */
  public String modelSha256() {
    return json.getJsonObject("onnx").getString("sha256");
  }

  /** A copy recording the SHA-256 of the model file, so a corrupt or truncated copy is refused at load time. */
  public ModelMetadata withModelSha256(byte[] onnx) {
    JsonObject copy = json.copy();
    copy.getJsonObject("onnx").put("sha256", sha256Hex(onnx));
    return new ModelMetadata(copy, encoding, classes);
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  public JsonObject metrics() {
    return json.getJsonObject("metrics", new JsonObject());
  }

  public JsonObject toJson() {
    return json.copy();
  }
}
