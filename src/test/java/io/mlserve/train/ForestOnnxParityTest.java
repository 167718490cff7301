package io.mlserve.train;

import io.mlserve.testing.SharedData;
import io.mlserve.train.forest.ForestModel;
import io.mlserve.train.forest.ForestParams;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The judge of the ONNX conversion: ONNX Runtime's labels and probabilities on the test split against the
 * in-memory forest's own predictions (its double-precision tree walk and mean, not the exporter's code).
 *
 * <p>Ties: the forest picks the lowest class index on an exact tie; ORT sums float leaf weights and also keeps the
 * first maximum. A label can only differ where two classes' probabilities are within float rounding (~1e-6) of each
 * other; such rows are counted separately, and every other row must agree.
 */
class ForestOnnxParityTest {
  record Parity(int rows, int mismatches, int nearTies, double maxProbabilityDiff) {
  }

  static Parity compare(ForestModel forest, ModelPackage pkg, float[] x, int rows) throws Exception {
    int mismatches = 0;
    int nearTies = 0;
    double maxDiff = 0;
    try (OnnxScorer ort = new OnnxScorer(pkg.onnx(), pkg.metadata())) {
      long[] labels = ort.predictLabels(x, rows);
      float[][] proba = ort.predictProbabilities(x, rows);
      long[] classes = forest.classLabels();
      for (int r = 0; r < rows; r++) {
        double[] p = forest.predictProba(x, r * forest.columns());
        for (int c = 0; c < p.length; c++) {
          maxDiff = Math.max(maxDiff, Math.abs(p[c] - proba[r][c]));
        }
        if (classes[forest.predictIndex(x, r * forest.columns())] != labels[r]) {
          mismatches++;
          double[] sorted = p.clone();
          java.util.Arrays.sort(sorted);
          if (sorted[sorted.length - 1] - sorted[sorted.length - 2] < 1e-5) {
            nearTies++;
          }
        }
      }
    }
    return new Parity(rows, mismatches, nearTies, maxDiff);
  }

  private static ModelPackage export(ForestModel forest, OfflineTraining.Split split, ForestParams params) {
    return ModelPackage.of("parity", forest, split.data(), params, java.util.Map.of("accuracy", 0.0),
        new JsonObject().put("rows", split.data().rows()).put("hash", split.data().dataHash()), "test",
        Long.MAX_VALUE);
  }

  @Test
  @DisplayName("synthetic data: ONNX Runtime predicts exactly what the trained forest predicts on the test split")
  void synthetic() throws Exception {
    OfflineTraining.Split split = OfflineTraining.Split.of(OfflineTraining.synthetic(5000, 11), 0.2, 42);
    ForestParams params = new ForestParams(40, 0, 0, 1, 256, 42);
    OfflineTraining.Result r = OfflineTraining.train(split, params, 2);
    Parity p = compare(r.forest(), export(r.forest(), split, params), split.testX(), split.testY().length);
    System.out.println("synthetic parity: " + p);
    assertThat(p.rows()).isEqualTo(1000);
    assertThat(p.mismatches()).as("label mismatches (%s near ties)", p.nearTies()).isZero();
    assertThat(p.maxProbabilityDiff()).isLessThan(1e-5);
  }

  @Test
  @DisplayName("covertype-15k (80/20, seed 42, 100 trees): 0 ONNX mismatches and accuracy >= scikit-learn's 0.8213")
  void realSample() throws Exception {
    var csv = SharedData.require(SharedData.COVERTYPE_15K);
    OfflineTraining.Split split = OfflineTraining.Split.of(OfflineTraining.fromCsv(csv), 0.2, 42);
    ForestParams params = new ForestParams(100, 0, 0, 1, 256, 42);
    OfflineTraining.Result r = OfflineTraining.train(split, params, 2);
    Parity p = compare(r.forest(), export(r.forest(), split, params), split.testX(), split.testY().length);
    System.out.println("covertype-15k parity: " + p + ", accuracy " + r.metrics().accuracy());
    assertThat(p.rows()).isEqualTo(2999);
    assertThat(p.mismatches()).as("label mismatches (%s near ties)", p.nearTies()).isZero();
    assertThat(p.maxProbabilityDiff()).isLessThan(1e-5);
    // scikit-learn 1.2.1 RandomForestClassifier(100, random_state=42) on this exact split: accuracy 0.8213,
    // macro-F1 0.6892 (bench/sklearn_rf.py via `mlserve bench train`)
    assertThat(r.metrics().accuracy()).isGreaterThanOrEqualTo(0.8213);
    assertThat(r.metrics().macroF1()).isGreaterThanOrEqualTo(0.6892);
  }
}
