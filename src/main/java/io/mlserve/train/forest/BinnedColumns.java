package io.mlserve.train.forest;

import java.util.Arrays;

/**
 * The training matrix quantized once per forest: each column's values become bin indices (one bin per distinct
 * value while there are at most {@code maxBins}, quantile bins otherwise), stored column-major as {@code char}
 * (unsigned 16 bit). Trees then count classes per bin instead of sorting values at every node, which is what makes
 * training fast; splits fall between bins at the midpoint of the neighbouring training values, as scikit-learn's do.
 */
public final class BinnedColumns {
  final int rows;
  final int columns;
  final char[][] bins;
  /** Per column, the largest and smallest training value in each bin. */
  final float[][] binHigh;
  final float[][] binLow;

  private BinnedColumns(int rows, int columns, char[][] bins, float[][] binLow, float[][] binHigh) {
    this.rows = rows;
    this.columns = columns;
    this.bins = bins;
    this.binLow = binLow;
    this.binHigh = binHigh;
  }

  /** @param x row-major values, {@code rows * columns} */
  public static BinnedColumns of(float[] x, int rows, int columns, int maxBins) {
    char[][] bins = new char[columns][];
    float[][] low = new float[columns][];
    float[][] high = new float[columns][];
    float[] column = new float[rows];
    for (int c = 0; c < columns; c++) {
      for (int r = 0; r < rows; r++) {
        column[r] = x[r * columns + c];
      }
      float[] sorted = column.clone();
      Arrays.sort(sorted);
      float[][] edges = edges(sorted, maxBins);
      low[c] = edges[0];
      high[c] = edges[1];
      char[] b = new char[rows];
      for (int r = 0; r < rows; r++) {
        b[r] = (char) binOf(high[c], column[r]);
      }
      bins[c] = b;
    }
    return new BinnedColumns(rows, columns, bins, low, high);
  }

  /** First bin whose upper value is at least {@code v}. */
  private static int binOf(float[] high, float v) {
    int lo = 0;
    int hi = high.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (high[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Bin bounds: distinct values, merged into roughly equal-count bins when there are more than maxBins. */
  private static float[][] edges(float[] sorted, int maxBins) {
    int n = sorted.length;
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        distinct++;
      }
    }
    float[] low = new float[Math.min(distinct, maxBins)];
    float[] high = new float[low.length];
    if (n == 0) {
      return new float[][] {new float[] {0f}, new float[] {0f}};
    }
    int bin = 0;
    low[0] = sorted[0];
    double perBin = (double) n / low.length;
    for (int i = 0; i < n; i++) {
      boolean newValue = i > 0 && sorted[i] != sorted[i - 1];
      // close the current bin at a value change once it holds its share (or when every value gets its own bin)
      if (newValue && bin + 1 < low.length && (distinct <= maxBins || i >= (bin + 1) * perBin)) {
        high[bin] = sorted[i - 1];
        bin++;
        low[bin] = sorted[i];
      }
    }
    high[bin] = sorted[n - 1];
    if (bin + 1 < low.length) { // fewer bins used than allotted (heavy ties): trim
      low = Arrays.copyOf(low, bin + 1);
      high = Arrays.copyOf(high, bin + 1);
    }
    return new float[][] {low, high};
  }

  public int binCount(int column) {
    return binHigh[column].length;
  }

  /** The split value between bin {@code b} and the next non-empty bin {@code next}: their midpoint. */
  double threshold(int column, int b, int next) {
    double t = ((double) binHigh[column][b] + binLow[column][next]) / 2;
    // a midpoint that rounds onto the upper value would send it left: keep it strictly below
    return t < binLow[column][next] ? t : binHigh[column][b];
  }
}
