package io.mlserve.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * A random forest of binary decision trees in a library-neutral form: what our trainers convert their models into
 * and what {@link TreeEnsembleExporter} turns into ONNX. Splits are {@code x[feature] <= threshold} → left child.
 * Leaves hold a class distribution (summing to 1); the forest's probabilities are the mean over trees.
 */
public final class TreeForest {
  private final int numFeatures;
  private final long[] classLabels;
  private final List<Tree> trees = new ArrayList<>();

  public TreeForest(int numFeatures, long[] classLabels) {
    this.numFeatures = numFeatures;
    this.classLabels = classLabels.clone();
  }

  public int numFeatures() {
    return numFeatures;
  }

  public long[] classLabels() {
    return classLabels.clone();
  }

  public int numClasses() {
    return classLabels.length;
  }

  public List<Tree> trees() {
    return List.copyOf(trees);
  }

  public TreeForest add(Tree tree) {
    trees.add(tree);
    return this;
  }

  public int nodeCount() {
    return trees.stream().mapToInt(Tree::size).sum();
  }

  /** Mean class distribution over the trees, as ONNX Runtime computes it (in float). */
  public float[] predictProba(float[] x) {
    float[] sum = new float[classLabels.length];
    float w = 1f / trees.size();
    for (Tree t : trees) {
      double[] leaf = t.leafFor(x);
      for (int c = 0; c < sum.length; c++) {
        sum[c] += (float) leaf[c] * w;
      }
    }
    return sum;
  }

  /** The label of the most probable class (lowest class index wins ties). */
  public long predict(float[] x) {
    float[] p = predictProba(x);
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return classLabels[best];
  }

  /**
   * One tree as parallel arrays; node 0 is the root. Build it with {@link #split} and {@link #leaf}, which return
   * node ids, then wire children with {@link #children}.
   */
  public static final class Tree {
    private final List<Integer> feature = new ArrayList<>();
    private final List<Double> threshold = new ArrayList<>();
    private final List<Integer> left = new ArrayList<>();
    private final List<Integer> right = new ArrayList<>();
    private final List<double[]> distribution = new ArrayList<>();

    public int split(int featureIndex, double thresholdValue) {
      feature.add(featureIndex);
      threshold.add(thresholdValue);
      left.add(-1);
      right.add(-1);
      distribution.add(null);
      return feature.size() - 1;
    }

    public int leaf(double[] classDistribution) {
      feature.add(-1);
      threshold.add(0.0);
      left.add(-1);
      right.add(-1);
      distribution.add(classDistribution.clone());
      return feature.size() - 1;
    }

    public Tree children(int node, int leftChild, int rightChild) {
      left.set(node, leftChild);
      right.set(node, rightChild);
      return this;
    }

    public int size() {
      return feature.size();
    }

    public boolean isLeaf(int node) {
      return distribution.get(node) != null;
    }

    public int feature(int node) {
      return feature.get(node);
    }

    public double threshold(int node) {
      return threshold.get(node);
    }

    public int left(int node) {
      return left.get(node);
    }

    public int right(int node) {
      return right.get(node);
    }

    public double[] distribution(int node) {
      return distribution.get(node);
    }

    /** The threshold as the float ONNX stores, rounded down so {@code x <= t} agrees for every float input. */
    public static float floatThreshold(double t) {
      float f = (float) t;
      return f > t ? Math.nextDown(f) : f;
    }

    double[] leafFor(float[] x) {
      int n = 0;
      while (!isLeaf(n)) {
        n = x[feature(n)] <= floatThreshold(threshold(n)) ? left(n) : right(n);
      }
      return distribution(n);
    }
  }
}
