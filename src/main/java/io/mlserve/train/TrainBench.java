package io.mlserve.train;

import io.mlserve.bench.Stats;
import io.mlserve.train.forest.ForestParams;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mlserve bench train}: random-forest training on the real Covertype sample (80/20 stratified, seed 42, 100
 * trees; skipped with a message when the file is absent) beside scikit-learn's RandomForestClassifier(100) on the
 * very same split (run through {@code bench/sklearn_rf.py} when Debian's python3-sklearn is installed), then on
 * {@code --synthetic-rows} generated rows (default 581,012, the full Covertype size). Figures from one run.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Training time, accuracy and macro-F1 vs scikit-learn on covertype-15k; time on 581,012 rows.")
public final class TrainBench implements Callable<Integer> {
  @Option(names = "--csv", defaultValue = "../shared/data/covertype/covertype-15k.csv",
      description = "Real sample (default ${DEFAULT-VALUE}).")
  Path csv;

  @Option(names = "--runs", defaultValue = "3", description = "Timed runs after one warm-up (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--trees", defaultValue = "100", description = "Trees (default ${DEFAULT-VALUE}).")
  int trees;

  @Option(names = "--threads", defaultValue = "0", description = "Training threads, 0 = cores (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--python", defaultValue = "/usr/bin/python3",
      description = "Python with scikit-learn (default ${DEFAULT-VALUE}).")
  String python;

  @Option(names = "--sklearn-script", defaultValue = "bench/sklearn_rf.py",
      description = "scikit-learn comparison script (default ${DEFAULT-VALUE}).")
  Path script;

  @Option(names = "--synthetic-rows", defaultValue = "581012",
      description = "Synthetic rows for the large run, 0 = skip (default ${DEFAULT-VALUE}).")
  int syntheticRows;

  @Option(names = "--synthetic-max-depth", defaultValue = "0",
      description = "Max depth of the large run, 0 = unlimited (default ${DEFAULT-VALUE}).")
  int syntheticMaxDepth;

  @Override
  public Integer call() throws Exception {
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "bench train: %d cores, %d training threads, %d trees, JVM %s, max heap %d MB%n",
        Runtime.getRuntime().availableProcessors(), n, trees, System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    ForestParams params = new ForestParams(trees, 0, 0, 1, 256, 42);
    if (Files.isRegularFile(csv)) {
      realSample(params, n);
    } else {
      System.out.println("covertype-15k: skipped, " + csv + " is not available");
    }
    if (syntheticRows > 0) {
      synthetic(new ForestParams(trees, syntheticMaxDepth, 0, 1, 256, 42), n);
    }
    return 0;
  }

  private void realSample(ForestParams params, int threads) throws Exception {
    OfflineTraining.Split split = OfflineTraining.Split.of(OfflineTraining.fromCsv(csv), 0.2, 42);
    System.out.printf(Locale.ROOT, "covertype-15k: %d rows (%d train / %d test, stratified, seed 42), data %s%n",
        split.data().rows(), split.trainY().length, split.testY().length, split.data().dataHash());
    OfflineTraining.Result warm = OfflineTraining.train(split, params, threads);
    double[] seconds = new double[runs];
    double[] cpuSeconds = new double[runs];
    OfflineTraining.Result last = warm;
    for (int i = 0; i < runs; i++) {
      last = OfflineTraining.train(split, params, threads);
      seconds[i] = last.trainNanos() / 1e9;
      cpuSeconds[i] = last.cpuNanos() / 1e9;
    }
    double ours = Stats.median(seconds);
    double oursCpu = Stats.median(cpuSeconds);
    System.out.printf(Locale.ROOT, "  mlserve forest: accuracy %.4f, macro-F1 %.4f, train %.2f s wall / %.2f s CPU"
            + " (medians of %d; cold first run %.2f s), %d nodes, depth %d, %d threads%n",
        last.metrics().accuracy(), last.metrics().macroF1(), ours, oursCpu, runs, warm.trainNanos() / 1e9,
        last.forest().nodeCount(), last.forest().maxDepth(), threads);
    JsonObject sk1 = SklearnBaseline.run(Path.of(python), script, split, trees, 1, runs);
    JsonObject skN = threads > 1 && sk1 != null ? SklearnBaseline.run(Path.of(python), script, split, trees, threads,
        runs) : null;
    if (sk1 == null) {
      return;
    }
    for (JsonObject sk : skN == null ? new JsonObject[] {sk1} : new JsonObject[] {sk1, skN}) {
      System.out.printf(Locale.ROOT, "  scikit-learn %s RandomForestClassifier(%d, n_jobs=%d): accuracy %.4f,"
              + " macro-F1 %.4f, train %.2f s wall / %.2f s CPU (medians of %d)%n", sk.getString("sklearn"), trees,
          sk.getInteger("nJobs"), sk.getDouble("accuracy"), sk.getDouble("macroF1"), sk.getDouble("trainSeconds"),
          sk.getDouble("cpuSeconds"), runs);
    }
    JsonObject same = skN != null ? skN : sk1;
    System.out.printf(Locale.ROOT, "  ratio vs scikit-learn n_jobs=%d: wall time %.2fx, CPU time %.2fx (below 1 ="
            + " faster), accuracy %+.4f, macro-F1 %+.4f%n", same.getInteger("nJobs"),
        ours / same.getDouble("trainSeconds"), oursCpu / same.getDouble("cpuSeconds"),
        last.metrics().accuracy() - same.getDouble("accuracy"), last.metrics().macroF1() - same.getDouble("macroF1"));
  }

  private void synthetic(ForestParams params, int threads) {
    long t0 = System.nanoTime();
    OfflineTraining.Split split = OfflineTraining.Split.of(OfflineTraining.synthetic(syntheticRows, 42), 0.2, 42);
    double prepare = (System.nanoTime() - t0) / 1e9;
    System.gc();
    long heapBefore = usedHeap();
    OfflineTraining.Result r = OfflineTraining.train(split, params, threads);
    long heapAfter = usedHeap();
    System.out.printf(Locale.ROOT, "synthetic %,d rows (%,d train / %,d test, generated and encoded in %.1f s):"
            + " %d trees, maxDepth %s, train %.1f s wall / %.1f s CPU on %d threads, accuracy %.4f, macro-F1 %.4f, %,d nodes,"
            + " depth %d, heap used %d MB before / %d MB after training (peak heap %d MB)%n",
        syntheticRows, split.trainY().length, split.testY().length, prepare, params.trees(),
        params.maxDepth() == 0 ? "unlimited" : Integer.toString(params.maxDepth()), r.trainNanos() / 1e9,
        r.cpuNanos() / 1e9, threads,
        r.metrics().accuracy(), r.metrics().macroF1(), r.forest().nodeCount(), r.forest().maxDepth(),
        heapBefore >> 20, heapAfter >> 20, peakHeap() >> 20);
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long peakHeap() {
    long peak = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }
}
