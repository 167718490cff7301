package io.mlserve.pipeline;

import io.mlserve.common.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /pipeline/run}: {@code {"steps"?: [...], "params"?: {"train"?: {...}, "tune"?: {...}}}}.
 * Every problem is a 422 naming the field.
 */
public record PipelineRequest(List<PipelineStep> steps, JsonObject params) {
  private static final Set<String> FIELDS = Set.of("steps", "params");

  public static PipelineRequest parse(JsonObject body) {
    for (String key : body.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw ApiError.unprocessable(key, "unknown field '" + key + "'; accepted: steps, params");
      }
    }
    List<PipelineStep> steps = PipelineStep.ALL;
    Object rawSteps = body.getValue("steps");
    if (rawSteps != null) {
      if (!(rawSteps instanceof JsonArray array)) {
        throw ApiError.unprocessable("steps", "steps must be an array of step names (" + PipelineStep.names() + ")");
      }
      try {
        steps = PipelineStep.parse(array.getList());
      } catch (PipelineStep.InvalidSteps e) {
        ApiError error = ApiError.unprocessable("steps", e.getMessage())
            .with("allowed", new JsonArray(PipelineStep.ALL.stream().map(PipelineStep::id).toList()));
        throw e.index() >= 0 ? error.with("index", e.index()) : error;
      }
    }
    JsonObject params = new JsonObject();
    Object rawParams = body.getValue("params");
    if (rawParams != null) {
      if (!(rawParams instanceof JsonObject p)) {
        throw ApiError.unprocessable("params", "params must be an object like {\"train\": {...}, \"tune\": {...}}");
      }
      for (String key : p.fieldNames()) {
        PipelineStep step = key.equals("train") ? PipelineStep.TRAIN : key.equals("tune") ? PipelineStep.TUNE : null;
        if (step == null) {
          throw ApiError.unprocessable("params." + key, "only the train and tune steps take params");
        }
        if (!(p.getValue(key) instanceof JsonObject)) {
          throw ApiError.unprocessable("params." + key, "params." + key + " must be an object");
        }
        if (!steps.contains(step)) {
          throw ApiError.unprocessable("params." + key, "params." + key + " is given but step '" + key
              + "' is not in steps");
        }
      }
      params = p;
    }
    return new PipelineRequest(steps, params);
  }
}
