package io.mlserve.inference;

/**
 * What one model version answered for a request's rows: the predicted labels and, row-major, the probability of
 * each class ({@code classes} order, from the model's metadata).
 */
public record Predictions(String model, int version, long[] classes, long[] labels, float[] probabilities) {
  public int rows() {
    return labels.length;
  }

  public float probability(int row, int classIndex) {
    return probabilities[row * classes.length + classIndex];
  }
}
