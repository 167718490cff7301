package io.mlserve.train.forest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyperparameters of one random forest.
 *
 * @param trees    number of trees
 * @param maxDepth deepest level a node may sit at (root = 0); 0 = unlimited (grow until pure or too small)
 * @param mtry     features tried per split; 0 = floor(sqrt(columns)), as scikit-learn's {@code max_features="sqrt"}
 * @param nodeSize minimum (bootstrap-weighted) rows in each leaf, as scikit-learn's {@code min_samples_leaf}
 * @param maxBins  most distinct split points per column (columns with more distinct values are quantile-binned)
 * @param seed     seed of the bootstraps and feature draws: the same data, params and seed give the same forest
 */
public record ForestParams(int trees, int maxDepth, int mtry, int nodeSize, int maxBins, long seed) {
  public static final int MAX_TREES = 2000;
  public static final int MAX_DEPTH = 200;
  public static final int MAX_BINS = 65_535;

  public ForestParams {
    if (trees < 1 || trees > MAX_TREES) {
      throw new IllegalArgumentException("trees must be between 1 and " + MAX_TREES + ", got " + trees);
    }
    if (maxDepth < 0 || maxDepth > MAX_DEPTH) {
      throw new IllegalArgumentException("maxDepth must be between 0 (unlimited) and " + MAX_DEPTH + ", got "
          + maxDepth);
    }
    if (mtry < 0) {
      throw new IllegalArgumentException("mtry must be 0 (sqrt of the columns) or positive, got " + mtry);
    }
    if (nodeSize < 1) {
      throw new IllegalArgumentException("nodeSize must be at least 1, got " + nodeSize);
    }
    if (maxBins < 2 || maxBins > MAX_BINS) {
      throw new IllegalArgumentException("maxBins must be between 2 and " + MAX_BINS + ", got " + maxBins);
    }
  }

  /** mtry resolved against the number of columns. */
  public int effectiveMtry(int columns) {
    int m = mtry == 0 ? (int) Math.floor(Math.sqrt(columns)) : mtry;
    return Math.max(1, Math.min(columns, m));
  }

  public ForestParams withTrees(int n) {
    return new ForestParams(n, maxDepth, mtry, nodeSize, maxBins, seed);
  }

  public ForestParams withSeed(long s) {
    return new ForestParams(trees, maxDepth, mtry, nodeSize, maxBins, s);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trees", trees);
    m.put("maxDepth", maxDepth);
    m.put("mtry", mtry);
    m.put("nodeSize", nodeSize);
    m.put("maxBins", maxBins);
    m.put("seed", seed);
    return m;
  }
}
