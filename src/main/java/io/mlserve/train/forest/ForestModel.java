package io.mlserve.train.forest;

import io.mlserve.onnx.TreeForest;

import java.util.List;

/**
 * A trained random forest: predicts the mean of its trees' leaf distributions, the label being the most probable
 * class (lowest class index on an exact tie). Converts to the library-neutral {@link TreeForest} for ONNX export.
 */
public final class ForestModel {
  private final List<DecisionTree> trees;
  private final int columns;
  private final long[] classLabels;

  public ForestModel(List<DecisionTree> trees, int columns, long[] classLabels) {
    if (trees.isEmpty()) {
      throw new IllegalArgumentException("a forest needs at least one tree");
    }
    this.trees = List.copyOf(trees);
    this.columns = columns;
    this.classLabels = classLabels.clone();
  }

  public List<DecisionTree> trees() {
    return trees;
  }

  public int columns() {
    return columns;
  }

  public long[] classLabels() {
    return classLabels.clone();
  }

  public int nodeCount() {
    return trees.stream().mapToInt(DecisionTree::size).sum();
  }

  public int maxDepth() {
    return trees.stream().mapToInt(DecisionTree::depth).max().orElse(0);
  }

  /** Class probabilities (in {@link #classLabels()} order) of the row at {@code x[offset ..]}. */
  public double[] predictProba(float[] x, int offset) {
    double[] p = new double[classLabels.length];
    for (DecisionTree t : trees) {
      double[] leaf = t.leaf(x, offset);
      for (int c = 0; c < p.length; c++) {
        p[c] += leaf[c];
      }
    }
    for (int c = 0; c < p.length; c++) {
      p[c] /= trees.size();
    }
    return p;
  }

  /** Index (into {@link #classLabels()}) of the predicted class of the row at {@code x[offset ..]}. */
  public int predictIndex(float[] x, int offset) {
    double[] p = predictProba(x, offset);
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Predicted class indexes of {@code rows} row-major rows. */
  public int[] predictIndexes(float[] x, int rows) {
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      out[r] = predictIndex(x, r * columns);
    }
    return out;
  }

  /** The same forest for {@link io.mlserve.onnx.TreeEnsembleExporter}: node ids, children and leaves unchanged. */
  public TreeForest toTreeForest() {
    TreeForest forest = new TreeForest(columns, classLabels);
    for (DecisionTree t : trees) {
      TreeForest.Tree out = new TreeForest.Tree();
      for (int n = 0; n < t.size(); n++) {
        int id = t.isLeaf(n) ? out.leaf(t.distribution[n]) : out.split(t.feature[n], t.threshold[n]);
        if (id != n) {
          throw new IllegalStateException("node ids out of order");
        }
      }
      for (int n = 0; n < t.size(); n++) {
        if (!t.isLeaf(n)) {
          out.children(n, t.left[n], t.right[n]);
        }
      }
      forest.add(out);
    }
    return forest;
  }
}
