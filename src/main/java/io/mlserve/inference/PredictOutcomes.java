package io.mlserve.inference;

import io.mlserve.bus.ByReferenceCodec;
import io.mlserve.common.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply to a {@link PredictBatch}: one outcome per request, in the batch's order. The api role formats each
 * answer itself, on the event loop that holds the request.
 */
public record PredictOutcomes(List<Outcome> outcomes) {
  private static final Logger LOG = LoggerFactory.getLogger(PredictOutcomes.class);

  /**
   * What one request gets: its predictions and the model's target name (the answer's label key), or an error.
   */
  public record Outcome(Predictions predictions, String target, ApiError error) {
    static Outcome of(Predictions predictions, String target) {
      return new Outcome(predictions, target, null);
    }

    /** An {@link ApiError} as it is; anything else is logged and answered as a 500 without internals. */
    static Outcome failed(Throwable t) {
      if (t instanceof ApiError e) {
        return new Outcome(null, null, e);
      }
      LOG.error("prediction failed", t);
      return new Outcome(null, null, new ApiError(500, "internal error",
          "the request failed inside the service; see its logs"));
    }
  }

  static final class Codec extends ByReferenceCodec<PredictOutcomes> {
    Codec() {
      super("mlserve.PredictOutcomes");
    }

    @Override
    protected JsonObject toJson(PredictOutcomes reply) {
      JsonArray out = new JsonArray(new ArrayList<>(reply.outcomes().size()));
      for (Outcome o : reply.outcomes()) {
        if (o.error() != null) {
          out.add(new JsonObject().put("status", o.error().status()).put("error", o.error().toJson()));
          continue;
        }
        Predictions p = o.predictions();
        JsonArray classes = new JsonArray();
        for (long c : p.classes()) {
          classes.add(c);
        }
        JsonArray labels = new JsonArray();
        for (long l : p.labels()) {
          labels.add(l);
        }
        JsonArray probabilities = new JsonArray();
        for (float f : p.probabilities()) {
          probabilities.add(f);
        }
        out.add(new JsonObject().put("model", p.model()).put("version", p.version()).put("target", o.target())
            .put("classes", classes).put("labels", labels).put("probabilities", probabilities));
      }
      return new JsonObject().put("outcomes", out);
    }

    @Override
    protected PredictOutcomes fromJson(JsonObject json) {
      JsonArray in = json.getJsonArray("outcomes", new JsonArray());
      List<Outcome> outcomes = new ArrayList<>(in.size());
      for (int i = 0; i < in.size(); i++) {
        JsonObject o = in.getJsonObject(i);
        if (o.containsKey("status")) {
          outcomes.add(new Outcome(null, null, ApiError.fromJson(o.getInteger("status"), o.getJsonObject("error"))));
          continue;
        }
        JsonArray classes = o.getJsonArray("classes");
        JsonArray labels = o.getJsonArray("labels");
        JsonArray probabilities = o.getJsonArray("probabilities");
        long[] c = new long[classes.size()];
        for (int k = 0; k < c.length; k++) {
          c[k] = classes.getLong(k);
        }
        long[] l = new long[labels.size()];
        for (int k = 0; k < l.length; k++) {
          l[k] = labels.getLong(k);
        }
        float[] p = new float[probabilities.size()];
        for (int k = 0; k < p.length; k++) {
          p[k] = probabilities.getFloat(k);
        }
        outcomes.add(Outcome.of(new Predictions(o.getString("model"), o.getInteger("version"), c, l, p),
            o.getString("target")));
      }
      return new PredictOutcomes(outcomes);
    }
  }
}
