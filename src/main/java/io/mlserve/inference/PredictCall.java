package io.mlserve.inference;

import io.mlserve.bus.ByReferenceCodec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code POST /predict} request on its way over the event bus to {@code inference.predict}. In one process it is
 * passed by reference (the default JSON codec would deep-copy every row: measured as the largest single cost of a
 * 10,000-row request after parsing); between processes it travels as JSON {@code {model?, rows}} and is validated
 * again on arrival. Rows are never modified after validation.
 *
 * @param model      {@code ?model=} override or null
 * @param rows       the rows, validated against the schema when {@code validated}
 * @param validated  whether the sender (the api role in this process) already validated them
 */
public record PredictCall(String model, List<Map<String, Object>> rows, boolean validated) {

  /** Registers the codec on this Vert.x instance once (both the api and the inference side call it). */
  public static void registerCodec(Vertx vertx) {
    ByReferenceCodec.register(vertx, PredictCall.class, new Codec());
  }

  /** The request as bus JSON ({@code {model?, rows}}), as another process or a plain JSON client sends it. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("rows", new JsonArray(new ArrayList<>(rows)));
    if (model != null) {
      json.put("model", model);
    }
    return json;
  }

  /**
   * A decoded JSON body as plain Java: a {@code JsonObject} becomes its map, a {@code JsonArray} a list whose object
   * elements are maps (what {@link PredictRequest} validates); anything else is returned as is.
   */
  public static Object unwrap(Object body) {
    if (body instanceof JsonObject o) {
      return o.getMap();
    }
    if (body instanceof JsonArray a) {
      List<Object> out = new ArrayList<>(a.size());
      for (Object e : a.getList()) {
        out.add(e instanceof JsonObject j ? j.getMap() : e);
      }
      return out;
    }
    return body;
  }

  static final class Codec extends ByReferenceCodec<PredictCall> {
    Codec() {
      super("mlserve.PredictCall");
    }

    @Override
    protected JsonObject toJson(PredictCall call) {
      return call.toJson();
    }

    @Override
    protected PredictCall fromJson(JsonObject json) {
      return new PredictCall(json.getString("model"), maps(json.getJsonArray("rows")), false); // check again here
    }
  }

  /** A JSON array of row objects as the maps {@link PredictRequest} validates (a non-object becomes an empty map). */
  static List<Map<String, Object>> maps(JsonArray array) {
    List<Map<String, Object>> rows = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (Object o : array) {
        rows.add(o instanceof JsonObject j ? j.getMap() : Map.of());
      }
    }
    return rows;
  }
}
