package io.mlserve.bench;

import java.util.Arrays;

/** Small statistics helpers for benchmark output: medians and percentiles of measured samples. */
public final class Stats {
  private Stats() {
  }

  public static double median(double[] values) {
    return percentile(values, 50);
  }

  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double rank = p / 100.0 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }
}
