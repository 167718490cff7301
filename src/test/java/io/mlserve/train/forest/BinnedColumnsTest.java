package io.mlserve.train.forest;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BinnedColumnsTest {
  @Test
  @DisplayName("few distinct values get one bin each; splits fall at the midpoint of neighbouring values")
  void exactBins() {
    float[] x = {5, 1, 3, 3, 1, 9};
    BinnedColumns b = BinnedColumns.of(x, 6, 1, 256);
    assertThat(b.binCount(0)).isEqualTo(4);
    assertThat(new int[] {b.bins[0][0], b.bins[0][1], b.bins[0][2], b.bins[0][5]}).containsExactly(2, 0, 1, 3);
    assertThat(b.threshold(0, 0, 1)).isEqualTo(2.0);
    assertThat(b.threshold(0, 1, 3)).isEqualTo(6.0); // bin 2 empty in some node: the split sits between 3 and 9
  }

  @Test
  @DisplayName("many distinct values are merged into at most maxBins ordered quantile bins")
  void quantileBins() {
    int n = 10_000;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (i * 7919) % n; // a permutation of 0..n-1
    }
    BinnedColumns b = BinnedColumns.of(x, n, 1, 64);
    assertThat(b.binCount(0)).isLessThanOrEqualTo(64).isGreaterThan(50);
    for (int i = 0; i < n; i++) {
      int bin = b.bins[0][i];
      assertThat(x[i]).isBetween(b.binLow[0][bin], b.binHigh[0][bin]);
    }
    for (int k = 1; k < b.binCount(0); k++) {
      assertThat(b.binLow[0][k]).isGreaterThan(b.binHigh[0][k - 1]);
    }
  }

  @Test
  @DisplayName("a constant column has a single bin")
  void constant() {
    assertThat(BinnedColumns.of(new float[] {4, 4, 4}, 3, 1, 256).binCount(0)).isEqualTo(1);
  }
}
