package io.mlserve.train.forest;

import io.mlserve.onnx.TreeEnsembleExporter;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.testing.TestModels;
import io.mlserve.train.OnnxScorer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact ties between classes: the forest and ONNX Runtime both pick the lowest class index. */
class ForestTieTest {
  /** A stump on column 0 whose two leaves vote for {@code lowClass} (x <= 0.5) and {@code highClass}. */
  private static DecisionTree stump(int lowClass, int highClass) {
    double[] low = new double[7];
    low[lowClass] = 1;
    double[] high = new double[7];
    high[highClass] = 1;
    return new DecisionTree(new int[] {0, -1, -1}, new double[] {0.5, 0, 0}, new int[] {1, -1, -1},
        new int[] {2, -1, -1}, new double[][] {null, low, high});
  }

  @Test
  @DisplayName("two- and three-way ties resolve to the lowest class in memory and in ONNX Runtime alike")
  void ties() throws Exception {
    List<DecisionTree> trees = new ArrayList<>(List.of(stump(4, 1), stump(2, 6), stump(6, 3)));
    long[] labels = {1, 2, 3, 4, 5, 6, 7};
    ForestModel forest = new ForestModel(trees, 54, labels);
    byte[] onnx = TreeEnsembleExporter.export(forest.toTreeForest(), "test", "ties");
    ModelMetadata meta = TestModels.randomForest("ties", 1, 1).metadata();
    float[] x = new float[2 * 54];
    x[54] = 1; // row 0: votes 4, 2, 6 (three-way tie); row 1: votes 1, 6, 3 (three-way tie)
    try (OnnxScorer ort = new OnnxScorer(onnx, meta)) {
      long[] ortLabels = ort.predictLabels(x, 2);
      assertThat(labels[forest.predictIndex(x, 0)]).isEqualTo(3L);
      assertThat(labels[forest.predictIndex(x, 54)]).isEqualTo(2L);
      assertThat(ortLabels).containsExactly(3L, 2L);
    }
    // a two-way tie
    ForestModel two = new ForestModel(List.of(stump(5, 0), stump(2, 6)), 54, labels);
    try (OnnxScorer ort = new OnnxScorer(TreeEnsembleExporter.export(two.toTreeForest(), "t", "t"), meta)) {
      assertThat(ort.predictLabels(x, 2)).containsExactly(labels[two.predictIndex(x, 0)], labels[two.predictIndex(x, 54)])
          .containsExactly(3L, 1L);
    }
  }
}
