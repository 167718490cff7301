package io.mlserve.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accuracy, macro-F1, per-class recall and the confusion matrix of predictions against the truth. Macro-F1 averages
 * over the classes present in the truth or the predictions (scikit-learn's {@code f1_score(average="macro")});
 * classes absent from both are not scored. The matrix covers every declared class: rows = truth, columns = predicted.
 */
public record ClassificationMetrics(double accuracy, double macroF1, Map<Long, Double> perClassRecall,
                                    long[][] confusion, long[] classLabels, int rows) {

  public static ClassificationMetrics of(int[] truth, int[] predicted, long[] classLabels) {
    if (truth.length != predicted.length) {
      throw new IllegalArgumentException("truth and predictions differ in length");
    }
    int k = classLabels.length;
    long[][] m = new long[k][k];
    long correct = 0;
    for (int i = 0; i < truth.length; i++) {
      m[truth[i]][predicted[i]]++;
      if (truth[i] == predicted[i]) {
        correct++;
      }
    }
    Map<Long, Double> recall = new LinkedHashMap<>();
    double f1Sum = 0;
    int scored = 0;
    for (int c = 0; c < k; c++) {
      long tp = m[c][c];
      long actual = 0;
      long pred = 0;
      for (int j = 0; j < k; j++) {
        actual += m[c][j];
        pred += m[j][c];
      }
      if (actual > 0) {
        recall.put(classLabels[c], (double) tp / actual);
      }
      if (actual > 0 || pred > 0) {
        f1Sum += 2.0 * tp / (actual + pred);
        scored++;
      }
    }
    double accuracy = truth.length == 0 ? 0 : (double) correct / truth.length;
    return new ClassificationMetrics(accuracy, scored == 0 ? 0 : f1Sum / scored, recall, m, classLabels.clone(),
        truth.length);
  }

  /** JSON-ready form (plain maps and lists) stored in experiments and metadata.json. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accuracy", round(accuracy));
    out.put("macroF1", round(macroF1));
    Map<String, Object> recall = new LinkedHashMap<>();
    perClassRecall.forEach((label, r) -> recall.put(Long.toString(label), round(r)));
    out.put("perClassRecall", recall);
    java.util.List<java.util.List<Long>> matrix = new java.util.ArrayList<>();
    for (long[] row : confusion) {
      matrix.add(java.util.Arrays.stream(row).boxed().toList());
    }
    out.put("confusionMatrix", matrix);
    out.put("confusionLabels", java.util.Arrays.stream(classLabels).boxed().toList());
    out.put("testRows", rows);
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
