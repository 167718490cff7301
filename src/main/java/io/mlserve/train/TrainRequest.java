package io.mlserve.train;

import io.mlserve.common.ApiError;
import io.mlserve.config.TrainConfig;
import io.mlserve.train.forest.ForestParams;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * A validated {@code train.run} request: {@code {"mode": "train" | "tune", "params"?: {...}}}. In {@code train} mode
 * params override the configured defaults; in {@code tune} mode they fix those parameters for every candidate (e.g.
 * {@code {"trees": 50}} to tune faster). Problems are 422s naming the field.
 */
public record TrainRequest(String mode, List<ForestParams> candidates) {
  public static final Set<String> MODES = Set.of("train", "tune");
  private static final Set<String> PARAMS = Set.of("trees", "maxDepth", "mtry", "nodeSize", "maxBins", "seed");

  public static TrainRequest parse(JsonObject body, TrainConfig config) {
    for (String key : body.fieldNames()) {
      if (!key.equals("mode") && !key.equals("params")) {
        throw ApiError.unprocessable(key, "unknown field '" + key + "'; a training request has 'mode' and 'params'");
      }
    }
    Object modeValue = body.getValue("mode", "train");
    if (!(modeValue instanceof String mode) || !MODES.contains(mode)) {
      throw ApiError.unprocessable("mode", "mode must be \"train\" or \"tune\", got " + modeValue)
          .with("allowed", List.of("train", "tune"));
    }
    Object paramsValue = body.getValue("params", new JsonObject());
    if (!(paramsValue instanceof JsonObject params)) {
      throw ApiError.unprocessable("params", "params must be an object such as {\"trees\": 100, \"maxDepth\": 20}");
    }
    for (String key : params.fieldNames()) {
      if (!PARAMS.contains(key)) {
        throw ApiError.unprocessable("params." + key, "unknown parameter '" + key + "'; known: "
            + String.join(", ", PARAMS.stream().sorted().toList()));
      }
    }
    TrainConfig.Defaults d = config.defaults();
    int maxBins = intParam(params, "maxBins", d.maxBins(), 2, ForestParams.MAX_BINS);
    long seed = longParam(params, "seed", config.seed());
    if (mode.equals("train")) {
      ForestParams p = new ForestParams(
          intParam(params, "trees", d.trees(), 1, ForestParams.MAX_TREES),
          intParam(params, "maxDepth", d.maxDepth(), 0, ForestParams.MAX_DEPTH),
          intParam(params, "mtry", d.mtry(), 0, 10_000),
          intParam(params, "nodeSize", d.nodeSize(), 1, 1_000_000),
          maxBins, seed);
      return new TrainRequest(mode, List.of(p));
    }
    TrainConfig.Search s = config.search();
    TrainConfig.Search fixed = new TrainConfig.Search(s.strategy(), s.budget(),
        fixedOr(params, "trees", s.trees(), 1, ForestParams.MAX_TREES),
        fixedOr(params, "maxDepth", s.maxDepth(), 0, ForestParams.MAX_DEPTH),
        fixedOr(params, "mtry", s.mtry(), 0, 10_000),
        fixedOr(params, "nodeSize", s.nodeSize(), 1, 1_000_000));
    return new TrainRequest(mode, SearchSpace.candidates(fixed, maxBins, seed));
  }

  private static List<Integer> fixedOr(JsonObject params, String key, List<Integer> space, int min, int max) {
    return params.containsKey(key) ? List.of(intParam(params, key, 0, min, max)) : space;
  }

  private static int intParam(JsonObject params, String key, int dflt, int min, int max) {
    if (!params.containsKey(key)) {
      return dflt;
    }
    Object v = params.getValue(key);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw ApiError.unprocessable("params." + key, key + " must be an integer between " + min + " and " + max
          + ", got " + v);
    }
    if (n.doubleValue() < min || n.doubleValue() > max) {
      throw ApiError.unprocessable("params." + key, key + " must be between " + min + " and " + max + ", got " + v);
    }
    return n.intValue();
  }

  private static long longParam(JsonObject params, String key, long dflt) {
    if (!params.containsKey(key)) {
      return dflt;
    }
    Object v = params.getValue(key);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || Math.abs(n.doubleValue()) > 9.0e15) {
      throw ApiError.unprocessable("params." + key, key + " must be an integer, got " + v);
    }
    return n.longValue();
  }
}
