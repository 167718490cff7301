package io.mlserve.inference;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
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
    try {
      vertx.eventBus().registerDefaultCodec(PredictCall.class, new Codec());
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle instance of this process did it
    }
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

  static final class Codec implements MessageCodec<PredictCall, PredictCall> {
    @Override
    public void encodeToWire(Buffer buffer, PredictCall call) {
      Buffer json = call.toJson().toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public PredictCall decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      JsonObject json = new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Object o : json.getJsonArray("rows", new JsonArray())) {
        rows.add(o instanceof JsonObject j ? j.getMap() : Map.of());
      }
      return new PredictCall(json.getString("model"), rows, false); // another process: check again here
    }

    @Override
    public PredictCall transform(PredictCall call) {
      return call;
    }

    @Override
    public String name() {
      return "mlserve.PredictCall";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
