package io.mlserve.inference;

import io.mlserve.bus.ByReferenceCodec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Small {@code POST /predict} requests that one api event loop gathered while it read them, on their way to
 * {@code inference.predict.batch} as one message: one event-bus round trip and one engine submission for all of them,
 * and one {@link PredictOutcomes.Outcome} back for each. In one process it is passed by reference; between processes
 * as JSON {@code {model?, requests: [[row, ...], ...]}}, validated again on arrival.
 *
 * @param model     the {@code ?model=} override they share, or null for the selected model
 * @param requests  each request's rows, in arrival order
 * @param validated whether the sender (the api role in this process) already validated them
 */
public record PredictBatch(String model, List<List<Map<String, Object>>> requests, boolean validated) {

  /** Registers the codecs of the batch and of its reply (both the api and the inference side call it). */
  public static void registerCodecs(Vertx vertx) {
    ByReferenceCodec.register(vertx, PredictBatch.class, new Codec());
    ByReferenceCodec.register(vertx, PredictOutcomes.class, new PredictOutcomes.Codec());
  }

  static final class Codec extends ByReferenceCodec<PredictBatch> {
    Codec() {
      super("mlserve.PredictBatch");
    }

    @Override
    protected JsonObject toJson(PredictBatch batch) {
      JsonArray requests = new JsonArray(new ArrayList<>(batch.requests().size()));
      for (List<Map<String, Object>> rows : batch.requests()) {
        requests.add(new JsonArray(new ArrayList<>(rows)));
      }
      JsonObject json = new JsonObject().put("requests", requests);
      if (batch.model() != null) {
        json.put("model", batch.model());
      }
      return json;
    }

    @Override
    protected PredictBatch fromJson(JsonObject json) {
      JsonArray requests = json.getJsonArray("requests", new JsonArray());
      List<List<Map<String, Object>>> out = new ArrayList<>(requests.size());
      for (Object r : requests) {
        out.add(PredictCall.maps(r instanceof JsonArray a ? a : new JsonArray()));
      }
      return new PredictBatch(json.getString("model"), out, false); // another process: check again here
    }
  }
}
