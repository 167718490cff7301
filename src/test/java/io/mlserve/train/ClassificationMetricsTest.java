package io.mlserve.train;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClassificationMetricsTest {
  @Test
  @DisplayName("accuracy, macro-F1, per-class recall and confusion match scikit-learn on a worked example")
  void workedExample() {
    // sklearn 1.2: accuracy_score = 0.6, f1_score(average="macro") = 0.6111..., recall_score = [0.5, 1.0, 0.5]
    int[] truth = {0, 0, 1, 2, 2};
    int[] pred = {0, 1, 1, 2, 0};
    ClassificationMetrics m = ClassificationMetrics.of(truth, pred, new long[] {1, 2, 3, 4});
    assertThat(m.accuracy()).isEqualTo(0.6);
    assertThat(m.macroF1()).isCloseTo(11.0 / 18, Offset.offset(1e-12));
    assertThat(m.perClassRecall()).containsEntry(1L, 0.5).containsEntry(2L, 1.0).containsEntry(3L, 0.5)
        .doesNotContainKey(4L);
    assertThat(m.confusion()[0]).containsExactly(1, 1, 0, 0);
    assertThat(m.confusion()[2]).containsExactly(1, 0, 1, 0);
    assertThat(m.toMap()).containsKeys("accuracy", "macroF1", "perClassRecall", "confusionMatrix");
  }
}
