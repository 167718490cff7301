package io.mlserve.train;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StratifiedSplitTest {
  private static final int[] LABELS = IntStream.range(0, 1000).map(i -> i < 700 ? 0 : i < 950 ? 1 : i < 999 ? 2 : 3)
      .toArray();

  @Test
  @DisplayName("each class keeps its share on both sides; train and test partition the rows")
  void proportions() {
    StratifiedSplit s = StratifiedSplit.of(LABELS, 4, 0.2, 42);
    assertThat(s.test()).hasSize(140 + 50 + 10);
    assertThat(IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.test())).sorted().toArray())
        .isEqualTo(IntStream.range(0, 1000).toArray());
    assertThat(Arrays.stream(s.test()).filter(i -> LABELS[i] == 1).count()).isEqualTo(50);
    assertThat(Arrays.stream(s.test()).filter(i -> LABELS[i] == 3).count()).isZero(); // a single row stays in train
  }

  @Test
  @DisplayName("the split depends on the seed only")
  void seeded() {
    assertThat(StratifiedSplit.of(LABELS, 4, 0.2, 42).test()).isEqualTo(StratifiedSplit.of(LABELS, 4, 0.2, 42).test());
    assertThat(StratifiedSplit.of(LABELS, 4, 0.2, 43).test()).isNotEqualTo(StratifiedSplit.of(LABELS, 4, 0.2, 42)
        .test());
    assertThatThrownBy(() -> StratifiedSplit.of(LABELS, 4, 1.0, 1)).hasMessageContaining("testFraction");
  }
}
