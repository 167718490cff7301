package io.mlserve.inference.bench;

import io.mlserve.bench.Stats;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.inference.LoadedModel;
import io.mlserve.inference.ModelLoader;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.mlserve.inference.bench.BenchClients.fmt;

/**
 * Times ONNX Runtime alone (one thread, no HTTP, no bus) on the model the servers serve, for runs of 1 to 64 rows.
 * Micro-batching can save at most the per-run overhead it amortises: {@code run(1) - run(n) / n} per request. Set
 * beside the server CPU per unbatched request, that bounds the on/off throughput ratio any batcher can reach. Each
 * size is also timed with fresh tensors every run, the way runs went before {@code RunTensors}, for their ratio.
 */
final class EngineRunCost {
  static final int[] BATCH_ROWS = {1, 10, 64};

  private EngineRunCost() {
  }

  /** One way of running the model: {@link LoadedModel#run} as served, or with fresh tensors every run. */
  private interface Runner {
    LoadedModel.Output run(float[] features, int rows) throws Exception;
  }

  /** Median microseconds per run for each of {@link #BATCH_ROWS}; prints one line per size and the saving bound. */
  static double[] measure(Path models, String name, List<Map<String, Object>> rows, double secondsPerSize)
      throws Exception {
    ModelMetadata metadata = ModelRegistry.scanDisk(models).stream().filter(m -> m.name().equals(name))
        .max(Comparator.comparingInt(ModelMetadata::version))
        .orElseThrow(() -> new IllegalStateException("no version with model.onnx under " + models.resolve(name)));
    FeatureEncoding encoding = metadata.encoding();
    ModelLoader loader = new ModelLoader(new ModelLoader.SessionSettings(1, 1, "all"));
    Path onnx = models.resolve(name).resolve(Integer.toString(metadata.version())).resolve(ModelRegistry.MODEL_FILE);
    LoadedModel model = loader.load(onnx, metadata);
    double[] micros = new double[BATCH_ROWS.length];
    try {
      for (int s = 0; s < BATCH_ROWS.length; s++) {
        int n = BATCH_ROWS[s];
        float[][] runs = runInputs(encoding, rows, n);
        micros[s] = medianRunMicros(model::run, runs, n, secondsPerSize / 2);
        double fresh = medianRunMicros(model::runAllocating, runs, n, secondsPerSize / 2);
        System.out.println(fmt("engine alone (ONNX Runtime, 1 thread, %s v%d): runs of %d rows %.1f us per run = %.2f"
            + " us per row; with fresh tensors every run %.1f us (reused tensors %.2fx faster)", name,
            metadata.version(), n, micros[s], micros[s] / n, fresh, fresh / micros[s]));
      }
    } finally {
      model.retire();
    }
    for (int s = 1; s < BATCH_ROWS.length; s++) {
      System.out.println(fmt("  batching %d rows per run saves at most %.1f us of engine time per single-row request",
          BATCH_ROWS[s], micros[0] - micros[s] / BATCH_ROWS[s]));
    }
    return micros;
  }

  /**
   * The inputs of successive runs of {@code n} rows: the rows in turn, so each run sees other rows than the last, as
   * a server does (one input run over and over keeps its path through the trees in cache).
   */
  static float[][] runInputs(FeatureEncoding encoding, List<Map<String, Object>> rows, int n) {
    float[][] runs = new float[Math.max(1, rows.size() / n)][n * encoding.width()];
    for (int s = 0; s < runs.length; s++) {
      for (int r = 0; r < n; r++) {
        encoding.encode(rows.get((s * n + r) % rows.size()), runs[s], r * encoding.width());
      }
    }
    return runs;
  }

  // medians of 20 slices, so a noisy neighbour's burst moves one slice, not the figure
  private static double medianRunMicros(Runner model, float[][] inputs, int rows, double seconds)
      throws Exception {
    int slices = 20;
    long sliceNanos = (long) (seconds * 1e9 / slices);
    long warmEnd = System.nanoTime() + sliceNanos * 4;
    int next = 0;
    while (System.nanoTime() < warmEnd) {
      model.run(inputs[next++ % inputs.length], rows);
    }
    double[] perRun = new double[slices];
    for (int i = 0; i < slices; i++) {
      long t0 = System.nanoTime();
      long end = t0 + sliceNanos;
      int runs = 0;
      long now;
      do {
        model.run(inputs[next++ % inputs.length], rows);
        runs++;
        now = System.nanoTime();
      } while (now < end);
      perRun[i] = (now - t0) / 1e3 / runs;
    }
    return Stats.median(perRun);
  }
}
