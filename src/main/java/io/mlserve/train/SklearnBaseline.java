package io.mlserve.train;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * scikit-learn's RandomForestClassifier on exactly our split: writes the encoded train and test rows to temporary
 * CSV files and runs {@code bench/sklearn_rf.py} with Debian's python3-sklearn. For benchmarks only.
 */
public final class SklearnBaseline {
  private SklearnBaseline() {
  }

  /** The script's JSON (accuracy, macroF1, trainSeconds, cpuSeconds, sklearn), or null with the reason printed. */
  public static JsonObject run(Path python, Path script, OfflineTraining.Split split, int trees, int jobs,
                               int repeats) throws IOException, InterruptedException {
    if (!Files.isRegularFile(script) || !Files.isExecutable(python)) {
      System.out.println("  scikit-learn: skipped (" + script + " or " + python + " missing)");
      return null;
    }
    Path dir = Files.createTempDirectory("mlserve-sklearn");
    try {
      writeCsv(dir.resolve("train.csv"), split.trainX(), split.trainY(), split.data());
      writeCsv(dir.resolve("test.csv"), split.testX(), split.testY(), split.data());
      Process p = new ProcessBuilder(python.toString(), script.toString(), dir.resolve("train.csv").toString(),
          dir.resolve("test.csv").toString(), Integer.toString(trees), "42", Integer.toString(jobs),
          Integer.toString(repeats)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      String last = out.lines().reduce((a, b) -> b).orElse("");
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        System.out.println("  scikit-learn: failed (apt-get install python3-sklearn?): " + last);
        return null;
      }
      return new JsonObject(last);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static void writeCsv(Path file, float[] x, int[] y, TrainingSet data) throws IOException {
    int w = data.columns();
    long[] labels = data.classLabels();
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      StringBuilder line = new StringBuilder(256);
      for (int r = 0; r < y.length; r++) {
        line.setLength(0);
        for (int c = 0; c < w; c++) {
          float v = x[r * w + c];
          line.append(v == Math.rint(v) ? Long.toString((long) v) : Float.toString(v)).append(',');
        }
        out.println(line.append(labels[y[r]]));
      }
    }
  }
}
