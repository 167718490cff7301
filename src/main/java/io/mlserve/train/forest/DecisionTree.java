package io.mlserve.train.forest;

/**
 * One trained tree as flat arrays (node 0 is the root). Inner nodes send {@code x[feature] <= threshold} left;
 * leaves hold the class distribution of the training rows that reached them.
 */
public final class DecisionTree {
  final int[] feature;
  final double[] threshold;
  final int[] left;
  final int[] right;
  /** Per node: class distribution (summing to 1) for leaves, null for inner nodes. */
  final double[][] distribution;

  DecisionTree(int[] feature, double[] threshold, int[] left, int[] right, double[][] distribution) {
    this.feature = feature;
    this.threshold = threshold;
    this.left = left;
    this.right = right;
    this.distribution = distribution;
  }

  public int size() {
    return feature.length;
  }

  public boolean isLeaf(int node) {
    return distribution[node] != null;
  }

  public int feature(int node) {
    return feature[node];
  }

  public double threshold(int node) {
    return threshold[node];
  }

  public int left(int node) {
    return left[node];
  }

  public int right(int node) {
    return right[node];
  }

  public double[] distribution(int node) {
    return distribution[node].clone();
  }

  /** Class distribution of the leaf {@code x} falls into ({@code x} has the training columns at {@code offset}). */
  double[] leaf(float[] x, int offset) {
    int n = 0;
    while (distribution[n] == null) {
      n = x[offset + feature[n]] <= threshold[n] ? left[n] : right[n];
    }
    return distribution[n];
  }

  public int depth() {
    return depth(0);
  }

  private int depth(int node) {
    return distribution[node] != null ? 0 : 1 + Math.max(depth(left[node]), depth(right[node]));
  }
}
