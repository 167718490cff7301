package io.mlserve.recommend.bench;

import io.mlserve.bench.Stats;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.algo.Progress;
import io.mlserve.recommend.algo.SphericalKMeans;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.SyntheticRatings;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Our sparse spherical k-means against the generic library one (commons-math3 {@code KMeansPlusPlusClusterer}
 * over dense unit user vectors, which is the same objective up to centroid normalisation): time and cosine inertia
 * on MovieLens 100K and on the MovieLens 1M-shaped synthetic set, one thread each.
 */
@Command(name = "recs-kmeans", mixinStandardHelpOptions = true,
    description = "k-means over user vectors: our sparse spherical k-means vs commons-math3 (time, inertia).")
public final class RecsKMeansBench implements Callable<Integer> {
  @Option(names = "--data", description = "Rating file (default ../shared/data/ml-100k/u.data, else synthetic).")
  Path data;

  @Option(names = "--k", defaultValue = "10", description = "Clusters (default ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--iterations", defaultValue = "25", description = "Iteration cap (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--runs", defaultValue = "3", description = "Runs per method; the median is printed (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--skip-big", description = "Only the small data set.")
  boolean skipBig;

  @Override
  public Integer call() throws Exception {
    System.out.printf(Locale.ROOT, "bench recs-kmeans: k=%d, at most %d iterations, median of %d runs, one thread%n",
        k, iterations, runs);
    BenchSupport.Dataset small = BenchSupport.small(data);
    compare(small.name(), InteractionMatrix.of(small.ratings()));
    if (!skipBig) {
      compare("synthetic 6040 x 3700 x 1M", InteractionMatrix.of(SyntheticRatings.generate(6040, 3700, 1_000_000, 42)));
    }
    return 0;
  }

  private void compare(String name, InteractionMatrix m) {
    double[] ours = new double[runs];
    double[] lib = new double[runs];
    double oursInertia = 0;
    double libInertia = 0;
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      SphericalKMeans km = SphericalKMeans.fit(m, k, iterations, 42, Parallel.sequential(), Progress.NONE);
      ours[r] = (System.nanoTime() - t0) / 1e6;
      oursInertia = km.inertia(m);
      t0 = System.nanoTime();
      List<DoublePoint> points = dense(m);
      JDKRandomGenerator rnd = new JDKRandomGenerator();
      rnd.setSeed(42);
      List<CentroidCluster<DoublePoint>> clusters = new KMeansPlusPlusClusterer<DoublePoint>(k, iterations,
          new EuclideanDistance(), rnd).cluster(points);
      lib[r] = (System.nanoTime() - t0) / 1e6;
      libInertia = inertia(clusters);
    }
    System.out.printf(Locale.ROOT, "%s (%d users x %d items): ours %.0f ms (inertia %.1f), commons-math3 %.0f ms "
            + "(inertia %.1f): ours is %.1fx faster%n", name, m.userCount(), m.itemCount(), Stats.median(ours),
        oursInertia, Stats.median(lib), libInertia, Stats.median(lib) / Stats.median(ours));
  }

  private static List<DoublePoint> dense(InteractionMatrix m) {
    List<DoublePoint> out = new ArrayList<>(m.userCount());
    for (int u = 0; u < m.userCount(); u++) {
      double[] v = new double[m.itemCount()];
      double w = 1 / Math.sqrt(Math.max(1, m.rowLength(u)));
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        v[m.rowItems()[p]] = w;
      }
      out.add(new DoublePoint(v));
    }
    return out;
  }

  /** Sum of cosine distances of users to their (normalised) cluster centre, comparable with ours. */
  private static double inertia(List<CentroidCluster<DoublePoint>> clusters) {
    double total = 0;
    for (CentroidCluster<DoublePoint> c : clusters) {
      double[] centre = c.getCenter().getPoint();
      double norm = 0;
      for (double x : centre) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      for (DoublePoint p : c.getPoints()) {
        double dot = 0;
        double[] v = p.getPoint();
        for (int i = 0; i < v.length; i++) {
          dot += v[i] * centre[i];
        }
        total += 1 - (norm == 0 ? 0 : dot / norm);
      }
    }
    return total;
  }
}
