package io.mlserve.config;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Training (role trainer): the registered model's name, the worker pool, the split, promotion policy, the default
 * forest parameters and the hyperparameter search space. Lists may come from the environment as comma-separated
 * integers ({@code MLSERVE_TRAIN_SEARCH_TREES=50,100,200}).
 */
public record TrainConfig(String modelName, int poolSize, double testFraction, long seed, boolean promoteOnlyIfBetter,
                          String promotionMetric, long maxModelNodes, Defaults defaults, Search search) {

  /** Forest parameters of a plain {@code train} run (0 = unlimited depth / sqrt(columns) features). */
  public record Defaults(int trees, int maxDepth, int mtry, int nodeSize, int maxBins) {
  }

  /** The search: {@code grid} tries every combination, {@code random} draws {@code budget} of them. */
  public record Search(String strategy, int budget, List<Integer> trees, List<Integer> maxDepth, List<Integer> mtry,
                       List<Integer> nodeSize) {
  }

  static TrainConfig from(ConfigReader r) {
    return new TrainConfig(
        r.nonBlank("train.modelName"),
        r.intIn("train.poolSize", 1, 256),
        r.doubleIn("train.testFraction", 0.01, 0.9),
        r.longIn("train.seed", Long.MIN_VALUE, Long.MAX_VALUE),
        r.bool("train.promoteOnlyIfBetter"),
        r.oneOf("train.promotionMetric", Set.of("accuracy", "macroF1")),
        r.longIn("train.maxModelNodes", 1000, 100_000_000),
        new Defaults(
            r.intIn("train.defaults.trees", 1, 2000),
            r.intIn("train.defaults.maxDepth", 0, 200),
            r.intIn("train.defaults.mtry", 0, 10_000),
            r.intIn("train.defaults.nodeSize", 1, 1_000_000),
            r.intIn("train.defaults.maxBins", 2, 65_535)),
        new Search(
            r.oneOf("train.search.strategy", Set.of("grid", "random")),
            r.intIn("train.search.budget", 1, 1000),
            ints(r, "train.search.trees", 1, 2000),
            ints(r, "train.search.maxDepth", 0, 200),
            ints(r, "train.search.mtry", 0, 10_000),
            ints(r, "train.search.nodeSize", 1, 1_000_000)));
  }

  /** A non-empty list of integers in range; numbers or numeric strings (from the environment). */
  private static List<Integer> ints(ConfigReader r, String path, int min, int max) {
    Object v = raw(r.raw(), path);
    if (!(v instanceof JsonArray arr) || arr.isEmpty()) {
      throw new ConfigException(path, null, v, "must be a non-empty list of integers");
    }
    List<Integer> out = new ArrayList<>();
    for (Object o : arr) {
      long value;
      try {
        value = o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? n.longValue()
            : Long.parseLong(String.valueOf(o).trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(path, null, v, "must be a list of integers");
      }
      if (value < min || value > max) {
        throw new ConfigException(path, null, v, "values must be between " + min + " and " + max);
      }
      out.add((int) value);
    }
    return List.copyOf(out);
  }

  private static Object raw(io.vertx.core.json.JsonObject root, String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      node = node instanceof io.vertx.core.json.JsonObject o ? o.getValue(part)
          : node instanceof Map<?, ?> m ? m.get(part) : null;
    }
    return node;
  }
}
