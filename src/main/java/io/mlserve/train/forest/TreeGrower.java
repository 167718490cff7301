package io.mlserve.train.forest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Grows one classification tree on a bootstrap sample: Gini impurity, {@code mtry} features drawn per node (features
 * that are constant in the node do not count, as in scikit-learn), leaves of at least {@code nodeSize} weighted rows.
 * Rows are kept in one index array partitioned in place; each candidate feature costs one pass over the node's rows
 * (class counts per bin into a histogram that only its non-empty bins touch). Not thread-safe: one grower per thread.
 */
final class TreeGrower {
  private final BinnedColumns data;
  private final int[] labels;
  private final int classes;
  private final ForestParams params;
  private final int mtry;

  // scratch, reused across nodes and trees
  private final int[] histogram;
  private final int[] leftCounts;
  private final int[] bestLeftCounts;
  private final int[] featureOrder;
  private final int[] presentBins;
  private final int[] binWeight;

  // the tree being grown
  private final IntList feature = new IntList();
  private final DoubleList threshold = new DoubleList();
  private final IntList left = new IntList();
  private final IntList right = new IntList();
  private final List<double[]> distribution = new ArrayList<>();

  TreeGrower(BinnedColumns data, int[] labels, int classes, ForestParams params) {
    this.data = data;
    this.labels = labels;
    this.classes = classes;
    this.params = params;
    this.mtry = params.effectiveMtry(data.columns);
    if (classes > 256) {
      throw new IllegalArgumentException("at most 256 classes, got " + classes);
    }
    int maxBins = 0;
    for (int c = 0; c < data.columns; c++) {
      maxBins = Math.max(maxBins, data.binCount(c));
    }
    this.histogram = new int[maxBins * classes];
    this.presentBins = new int[maxBins];
    this.binWeight = new int[maxBins];
    this.leftCounts = new int[classes];
    this.bestLeftCounts = new int[classes];
    this.featureOrder = new int[data.columns];
  }

  /** Grows tree number {@code index}; its randomness depends only on the forest seed and the index. */
  DecisionTree grow(int index) {
    SplittableRandom random = new SplittableRandom(mix(params.seed(), index));
    int n = data.rows;
    int[] weight = new int[n];
    for (int i = 0; i < n; i++) {
      weight[random.nextInt(n)]++;
    }
    int[] rows = new int[n];
    int m = 0;
    int[] counts = new int[classes];
    // one random read per row in the hot loop: bootstrap weight << 8 | class index
    int[] code = new int[n];
    for (int r = 0; r < n; r++) {
      if (weight[r] > 0) {
        rows[m++] = r;
        counts[labels[r]] += weight[r];
        code[r] = weight[r] << 8 | labels[r];
      }
    }
    feature.clear();
    threshold.clear();
    left.clear();
    right.clear();
    distribution.clear();

    // explicit stack: {start, end, depth, node}; counts travel alongside
    // constant: features known to be constant in the node (constant in a parent means constant in its children)
    record Pending(int start, int end, int depth, int node, int[] counts, long[] constant) {
    }
    List<Pending> stack = new ArrayList<>();
    stack.add(new Pending(0, m, 0, newNode(), counts, new long[(data.columns + 63) / 64]));
    while (!stack.isEmpty()) {
      Pending p = stack.remove(stack.size() - 1);
      Split s = bestSplit(rows, code, p.start(), p.end(), p.depth(), p.counts(), p.constant(), random);
      if (s == null) {
        makeLeaf(p.node(), p.counts());
        continue;
      }
      int mid = partition(rows, p.start(), p.end(), s.feature, s.bin);
      int[] rightCounts = new int[classes];
      for (int c = 0; c < classes; c++) {
        rightCounts[c] = p.counts()[c] - s.leftCounts[c];
      }
      int l = newNode();
      int r = newNode();
      feature.set(p.node(), s.feature);
      threshold.set(p.node(), s.threshold);
      left.set(p.node(), l);
      right.set(p.node(), r);
      stack.add(new Pending(mid, p.end(), p.depth() + 1, r, rightCounts, s.constant));
      stack.add(new Pending(p.start(), mid, p.depth() + 1, l, s.leftCounts, s.constant));
    }
    return new DecisionTree(feature.toArray(), threshold.toArray(), left.toArray(), right.toArray(),
        distribution.toArray(new double[0][]));
  }

  private record Split(int feature, int bin, double threshold, int[] leftCounts, long[] constant) {
  }

  private int newNode() {
    feature.add(-1);
    threshold.add(0.0);
    left.add(-1);
    right.add(-1);
    distribution.add(null);
    return feature.size() - 1;
  }

  private void makeLeaf(int node, int[] counts) {
    double total = 0;
    for (int c : counts) {
      total += c;
    }
    double[] d = new double[classes];
    for (int c = 0; c < classes; c++) {
      d[c] = counts[c] / total;
    }
    distribution.set(node, d);
  }

  private Split bestSplit(int[] rows, int[] code, int start, int end, int depth, int[] counts, long[] constant,
                          SplittableRandom random) {
    int total = 0;
    int nonZero = 0;
    for (int c : counts) {
      total += c;
      nonZero += c > 0 ? 1 : 0;
    }
    if (nonZero <= 1 || total < 2 * params.nodeSize() || (params.maxDepth() > 0 && depth >= params.maxDepth())) {
      return null;
    }
    int candidates = 0;
    for (int f = 0; f < data.columns; f++) {
      if ((constant[f >>> 6] & (1L << f)) == 0) {
        featureOrder[candidates++] = f;
      }
    }
    long[] nowConstant = constant;
    double bestScore = Double.NEGATIVE_INFINITY; // like scikit-learn, a zero-gain split of an impure node is allowed
    int bestFeature = -1;
    int bestBin = -1;
    int bestNext = -1;
    int visitedUseful = 0;
    for (int k = 0; k < candidates && visitedUseful < mtry; k++) {
      int j = k + random.nextInt(candidates - k);
      int f = featureOrder[j];
      featureOrder[j] = featureOrder[k];
      featureOrder[k] = f;
      int present = classCountsByBin(f, rows, code, start, end);
      if (present <= 1) { // constant in this node: remember it for the children and draw another feature
        clearBins(present);
        if (nowConstant == constant) {
          nowConstant = constant.clone();
        }
        nowConstant[f >>> 6] |= 1L << f;
        continue;
      }
      visitedUseful++;
      Arrays.fill(leftCounts, 0);
      int leftTotal = 0;
      for (int i = 0; i < present - 1; i++) {
        int base = presentBins[i] * classes;
        for (int c = 0; c < classes; c++) {
          leftCounts[c] += histogram[base + c];
          leftTotal += histogram[base + c];
        }
        int rightTotal = total - leftTotal;
        if (leftTotal < params.nodeSize()) {
          continue;
        }
        if (rightTotal < params.nodeSize()) {
          break;
        }
        double score = proxyLeftRight(leftCounts, leftTotal, counts, rightTotal);
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestBin = presentBins[i];
          bestNext = presentBins[i + 1];
          System.arraycopy(leftCounts, 0, bestLeftCounts, 0, classes);
        }
      }
      clearBins(present);
    }
    if (bestFeature < 0) {
      return null;
    }
    return new Split(bestFeature, bestBin, data.threshold(bestFeature, bestBin, bestNext), bestLeftCounts.clone(),
        nowConstant);
  }

  /**
   * Adds the node's weighted class counts per bin of {@code f} to {@link #histogram} and lists the non-empty bins,
   * ascending, in {@link #presentBins}; returns how many there are. Work is proportional to the node's rows (plus
   * sorting its distinct bins), never to the number of bins, so deep small nodes stay cheap.
   * {@link #clearBins} restores the all-zero histogram afterwards.
   */
  private int classCountsByBin(int f, int[] rows, int[] code, int start, int end) {
    char[] bin = data.bins[f];
    int binCount = data.binCount(f);
    int present = 0;
    if ((end - start) * 4 >= binCount) { // many rows per bin: count, then scan the bins in order
      for (int i = start; i < end; i++) {
        int r = rows[i];
        int b = bin[r];
        int c = code[r];
        binWeight[b] += c >>> 8;
        histogram[b * classes + (c & 0xff)] += c >>> 8;
      }
      for (int b = 0; b < binCount; b++) {
        if (binWeight[b] != 0) {
          presentBins[present++] = b;
        }
      }
      return present;
    }
    for (int i = start; i < end; i++) { // few rows: note each new bin, then sort those few
      int r = rows[i];
      int b = bin[r];
      int c = code[r];
      if (binWeight[b] == 0) {
        presentBins[present++] = b;
      }
      binWeight[b] += c >>> 8;
      histogram[b * classes + (c & 0xff)] += c >>> 8;
    }
    if (present > 1) {
      Arrays.sort(presentBins, 0, present);
    }
    return present;
  }

  private void clearBins(int present) {
    for (int i = 0; i < present; i++) {
      int b = presentBins[i];
      binWeight[b] = 0;
      Arrays.fill(histogram, b * classes, b * classes + classes, 0);
    }
  }

  /** Σ count² / total: maximizing it over both children minimizes their weighted Gini impurity. */
  private static double proxy(int[] counts, int total) {
    long sq = 0;
    for (int c : counts) {
      sq += (long) c * c;
    }
    return (double) sq / total;
  }

  private double proxyLeftRight(int[] leftCounts, int leftTotal, int[] counts, int rightTotal) {
    long l = 0;
    long r = 0;
    for (int c = 0; c < classes; c++) {
      long lc = leftCounts[c];
      long rc = counts[c] - lc;
      l += lc * lc;
      r += rc * rc;
    }
    return (double) l / leftTotal + (double) r / rightTotal;
  }

  /** Moves rows with {@code bin <= splitBin} to the front of [start, end); returns the first row of the right part. */
  private int partition(int[] rows, int start, int end, int f, int splitBin) {
    char[] bin = data.bins[f];
    int i = start;
    int j = end - 1;
    while (i <= j) {
      if (bin[rows[i]] <= splitBin) {
        i++;
      } else {
        int tmp = rows[i];
        rows[i] = rows[j];
        rows[j] = tmp;
        j--;
      }
    }
    return i;
  }

  /** SplitMix64 of seed and tree index: independent streams per tree, whatever thread grows it. */
  static long mix(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A growable double array. */
  static final class DoubleList {
    private double[] a = new double[256];
    private int size;

    void add(double v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    void set(int i, double v) {
      a[i] = v;
    }

    void clear() {
      size = 0;
    }

    double[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }

  /** A growable int array (avoids boxing millions of node fields). */
  static final class IntList {
    private int[] a = new int[256];
    private int size;

    void add(int v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    void set(int i, int v) {
      a[i] = v;
    }

    int size() {
      return size;
    }

    void clear() {
      size = 0;
    }

    int[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
