package io.mlserve.train;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.train.forest.ForestModel;
import io.mlserve.train.forest.ForestParams;
import io.mlserve.train.forest.RandomForestTrainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Training outside the service (CLI, benchmarks, tests): data from a CSV file or the synthetic generator, the
 * seeded stratified split, a forest trained on a plain thread pool, and its metrics on the test split.
 */
public final class OfflineTraining {
  private OfflineTraining() {
  }

  /** The split data of one training set. */
  public record Split(TrainingSet data, StratifiedSplit split, float[] trainX, int[] trainY, float[] testX,
                      int[] testY) {
    public static Split of(TrainingSet data, double testFraction, long seed) {
      StratifiedSplit s = StratifiedSplit.of(data.y(), data.classLabels().length, testFraction, seed);
      return new Split(data, s, data.rowsOf(s.train()), data.labelsOf(s.train()), data.rowsOf(s.test()),
          data.labelsOf(s.test()));
    }
  }

  /**
   * A trained forest, its wall-clock training time, the CPU time the whole process spent meanwhile (robust to other
   * load on a shared machine) and its test metrics.
   */
  public record Result(ForestModel forest, long trainNanos, long cpuNanos, ClassificationMetrics metrics) {
  }

  /** CPU time of this process (all threads), or -1 where the JVM does not report it. */
  public static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
  }

  public static TrainingSet fromCsv(Path csv) {
    TrainingSet.Builder b = new TrainingSet.Builder(FeatureEncoding.covertypeOneHot(), 16_384);
    try {
      CovertypeCsv.read(csv, b::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (b.invalid() > 0) {
      System.err.println(csv + ": skipped " + b.invalid() + " invalid rows (first: " + b.firstProblem() + ")");
    }
    return b.build();
  }

  public static TrainingSet synthetic(int rows, long seed) {
    TrainingSet.Builder b = new TrainingSet.Builder(FeatureEncoding.covertypeOneHot(), rows);
    CovertypeGenerator gen = new CovertypeGenerator(seed);
    for (int i = 0; i < rows; i++) {
      b.add(gen.next());
    }
    return b.build();
  }

  public static Result train(Split s, ForestParams params, int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "train-offline");
      t.setDaemon(true);
      return t;
    });
    try {
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      ForestModel forest = RandomForestTrainer.train(s.trainX(), s.trainY(), s.trainY().length, s.data().columns(),
          s.data().classLabels(), params, pool, threads, RandomForestTrainer.Progress.NONE,
          RandomForestTrainer.TreeDone.NONE).join();
      long nanos = System.nanoTime() - t0;
      long cpu = processCpuNanos() - cpu0;
      int[] predicted = forest.predictIndexes(s.testX(), s.testY().length);
      return new Result(forest, nanos, cpu, ClassificationMetrics.of(s.testY(), predicted, s.data().classLabels()));
    } finally {
      pool.shutdownNow();
    }
  }
}
