package io.mlserve.recommend.bench;

import io.mlserve.bench.Stats;
import io.mlserve.recommend.algo.ScoredItems;
import io.mlserve.recommend.algo.TopK;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.SyntheticRatings;
import org.apache.commons.math3.linear.OpenMapRealVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Comparator;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The two generic pieces the recommender hand-writes, against the library way of doing each, on our sizes: top-k
 * selection over a catalogue-sized score array (ours: a primitive bounded heap; library: the JDK's
 * {@code PriorityQueue} with a comparator) and sparse cosine similarity between users (ours: accumulation over the CSC
 * columns, as {@code UserKnn} does; library: commons-math3 {@code OpenMapRealVector}). Both ways must give the same answers, or the bench
 * fails.
 */
@Command(name = "recs-primitives", mixinStandardHelpOptions = true,
    description = "Top-k selection and sparse cosine: our primitive code vs JDK PriorityQueue / commons-math3 sparse vectors.")
public final class RecsPrimitivesBench implements Callable<Integer> {
  @Option(names = "--users", defaultValue = "6040", description = "Synthetic users (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--items", defaultValue = "3700", description = "Synthetic items (default ${DEFAULT-VALUE}).")
  int items;

  @Option(names = "--ratings", defaultValue = "1000000", description = "Synthetic ratings (default ${DEFAULT-VALUE}).")
  int ratings;

  @Option(names = "--k", defaultValue = "100", description = "Items kept per user (default ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--probe-users", defaultValue = "20",
      description = "Users whose cosine to every other user is computed (default ${DEFAULT-VALUE}).")
  int probeUsers;

  @Option(names = "--runs", defaultValue = "3", description = "Runs per way; medians compared (default ${DEFAULT-VALUE}).")
  int runs;

  @Override
  public Integer call() {
    InteractionMatrix m = InteractionMatrix.of(SyntheticRatings.generate(users, items, ratings, 42));
    System.out.printf(Locale.ROOT, "bench recs-primitives: synthetic %d users x %d items x %d ratings, k=%d, "
        + "median of %d runs after one warm-up, one thread%n", m.userCount(), m.itemCount(), m.nnz(), k, runs);
    return topK(m) && cosine(m) ? 0 : 1;
  }

  private boolean topK(InteractionMatrix m) {
    Random rnd = new Random(7);
    float[][] scores = new float[m.userCount()][m.itemCount()];
    float[] popularity = new float[m.itemCount()];
    for (int i = 0; i < popularity.length; i++) {
      popularity[i] = m.colLength(i);
    }
    for (int u = 0; u < scores.length; u++) {
      for (int i = 0; i < scores[u].length; i++) {
        scores[u][i] = rnd.nextInt(1000) / 100f; // coarse, so ties (and the tie-break) happen
      }
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        scores[u][m.rowItems()[p]] = Float.NaN; // items the user has are excluded
      }
    }
    double[] ours = new double[runs];
    double[] lib = new double[runs];
    long checksum = 0;
    for (int r = -1; r < runs; r++) {
      long t0 = System.nanoTime();
      long a = 0;
      for (float[] s : scores) {
        ScoredItems top = TopK.select(s, k, Float.NEGATIVE_INFINITY, popularity);
        a = a * 31 + java.util.Arrays.hashCode(top.items());
      }
      long t1 = System.nanoTime();
      long b = 0;
      for (float[] s : scores) {
        b = b * 31 + java.util.Arrays.hashCode(priorityQueueTopK(s, k, popularity));
      }
      long t2 = System.nanoTime();
      if (a != b) {
        System.out.println("top-k: the two ways disagree");
        return false;
      }
      checksum = a;
      if (r >= 0) {
        ours[r] = (t1 - t0) / 1e6;
        lib[r] = (t2 - t1) / 1e6;
      }
    }
    System.out.printf(Locale.ROOT, "top-k (%d users x %d items): ours %.1f ms, JDK PriorityQueue %.1f ms: ours %.2fx "
            + "faster (same items, checksum %d)%n", m.userCount(), m.itemCount(), Stats.median(ours), Stats.median(lib),
        Stats.median(lib) / Stats.median(ours), checksum);
    return true;
  }

  /** The library way: a bounded min-heap of boxed candidates, same order as {@link TopK}. */
  static int[] priorityQueueTopK(float[] scores, int k, float[] tieBreak) {
    Comparator<Integer> better = (x, y) -> {
      if (scores[x] != scores[y]) {
        return Float.compare(scores[x], scores[y]);
      }
      if (tieBreak[x] != tieBreak[y]) {
        return Float.compare(tieBreak[x], tieBreak[y]);
      }
      return Integer.compare(y, x);
    };
    PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, better); // head = worst kept
    for (int i = 0; i < scores.length; i++) {
      if (Float.isNaN(scores[i])) {
        continue;
      }
      heap.add(i);
      if (heap.size() > k) {
        heap.poll();
      }
    }
    int[] out = new int[heap.size()];
    for (int n = out.length - 1; n >= 0; n--) {
      out[n] = heap.poll();
    }
    return out;
  }

  private boolean cosine(InteractionMatrix m) {
    int probes = Math.min(probeUsers, m.userCount());
    OpenMapRealVector[] vectors = new OpenMapRealVector[m.userCount()];
    for (int u = 0; u < vectors.length; u++) {
      vectors[u] = new OpenMapRealVector(m.itemCount());
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        vectors[u].setEntry(m.rowItems()[p], m.rowRatings()[p]);
      }
    }
    double[] norms = new double[m.userCount()];
    for (int u = 0; u < norms.length; u++) {
      double s = 0;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        s += (double) m.rowRatings()[p] * m.rowRatings()[p];
      }
      norms[u] = Math.sqrt(s);
    }
    double[] libNorms = new double[vectors.length];
    for (int u = 0; u < vectors.length; u++) {
      libNorms[u] = vectors[u].getNorm();
    }
    double[] ours = new double[runs];
    double[] lib = new double[runs];
    for (int r = -1; r < runs; r++) {
      double a = 0;
      double b = 0;
      long t0 = System.nanoTime();
      double[] acc = new double[m.userCount()];
      for (int u = 0; u < probes; u++) {
        cscDots(m, u, acc);
        for (int v = 0; v < acc.length; v++) {
          a += acc[v] / (norms[u] * norms[v]);
          acc[v] = 0;
        }
      }
      long t1 = System.nanoTime();
      for (int u = 0; u < probes; u++) {
        for (int v = 0; v < m.userCount(); v++) {
          // the sparse-aware overload (RealVector.cosine walks every dimension: ~5,000x slower still)
          b += vectors[u].dotProduct(vectors[v]) / (libNorms[u] * libNorms[v]);
        }
      }
      long t2 = System.nanoTime();
      if (Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(a))) {
        System.out.printf(Locale.ROOT, "cosine: the two ways disagree (%f vs %f)%n", a, b);
        return false;
      }
      if (r >= 0) {
        ours[r] = (t1 - t0) / 1e6;
        lib[r] = (t2 - t1) / 1e6;
      }
    }
    System.out.printf(Locale.ROOT, "sparse cosine (%d users x all %d): ours over CSC columns %.1f ms, commons-math3 "
            + "OpenMapRealVector.dotProduct %.1f ms: ours %.2fx faster (same sums)%n", probes, m.userCount(), Stats.median(ours),
        Stats.median(lib), Stats.median(lib) / Stats.median(ours));
    return true;
  }

  /**
   * One user's dot products with every user at once, the way {@code UserKnn} scores: walk the columns (CSC) of the
   * user's items and accumulate into a dense array, so users with nothing in common cost nothing.
   */
  static void cscDots(InteractionMatrix m, int u, double[] acc) {
    int[] colUsers = m.colUsers();
    float[] colRatings = m.colRatings();
    for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
      int item = m.rowItems()[p];
      double ru = m.rowRatings()[p];
      for (int q = m.colStart(item); q < m.colEnd(item); q++) {
        acc[colUsers[q]] += ru * colRatings[q];
      }
    }
  }
}
