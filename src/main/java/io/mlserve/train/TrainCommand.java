package io.mlserve.train;

import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.train.forest.ForestParams;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mlserve train}: trains a forest offline (no MongoDB) from a CSV or synthetic rows and writes it as the next
 * version under {@code --out} ({@code models/{name}/{version}/model.onnx} + {@code metadata.json}); the service
 * registers it at start. This is how the shipped bootstrap model {@code models/modelo1/1} was made.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a random forest offline and write it under models/{name}/{version}/.")
public final class TrainCommand implements Callable<Integer> {
  static final class Source {
    @Option(names = "--csv", description = "Covertype CSV with a header (12 fields and Cover_Type).")
    Path csv;

    @Option(names = "--synthetic", description = "Number of synthetic rows from the seeded generator.")
    Integer synthetic;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--trees", defaultValue = "100", description = "Trees (default ${DEFAULT-VALUE}).")
  int trees;

  @Option(names = "--max-depth", defaultValue = "0", description = "Max depth, 0 = unlimited (default ${DEFAULT-VALUE}).")
  int maxDepth;

  @Option(names = "--mtry", defaultValue = "0", description = "Features per split, 0 = sqrt (default ${DEFAULT-VALUE}).")
  int mtry;

  @Option(names = "--node-size", defaultValue = "1", description = "Min rows per leaf (default ${DEFAULT-VALUE}).")
  int nodeSize;

  @Option(names = "--max-bins", defaultValue = "256", description = "Split points per column (default ${DEFAULT-VALUE}).")
  int maxBins;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of data, split and forest (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--test-fraction", defaultValue = "0.2", description = "Test share (default ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(names = "--name", defaultValue = "modelo1", description = "Model name (default ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--out", defaultValue = "models", description = "Models directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--version", defaultValue = "1",
      description = "Lowest version to use; the next free one is taken (default ${DEFAULT-VALUE}).")
  int version;

  @Option(names = "--threads", defaultValue = "0", description = "Training threads, 0 = cores (default ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    ModelRegistry.checkName(name);
    ForestParams params;
    try {
      params = new ForestParams(trees, maxDepth, mtry, nodeSize, maxBins, seed);
    } catch (IllegalArgumentException e) {
      System.err.println("invalid parameters: " + e.getMessage());
      return 2;
    }
    if (source.csv != null && !java.nio.file.Files.isReadable(source.csv)) {
      System.err.println("--csv " + source.csv + ": no such readable file");
      return 2;
    }
    if (source.synthetic != null && (source.synthetic < 10 || source.synthetic > 50_000_000)) {
      System.err.println("--synthetic must be between 10 and 50000000");
      return 2;
    }
    TrainingSet data = source.csv != null ? OfflineTraining.fromCsv(source.csv)
        : OfflineTraining.synthetic(source.synthetic, seed);
    if (data.rows() < 10) {
      System.err.println("only " + data.rows() + " valid rows: a forest needs at least 10");
      return 2;
    }
    OfflineTraining.Split split = OfflineTraining.Split.of(data, testFraction, seed);
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    OfflineTraining.Result r = OfflineTraining.train(split, params, n);
    JsonObject dataInfo = new JsonObject().put("rows", data.rows()).put("hash", data.dataHash())
        .put("trainRows", split.trainY().length).put("testRows", split.testY().length)
        .put("testFraction", testFraction).put("splitSeed", seed)
        .put("source", source.csv != null ? source.csv.getFileName().toString()
            : "synthetic CovertypeGenerator(seed " + seed + ")");
    ModelPackage pkg = ModelPackage.of(name, r.forest(), data, params, r.metrics().toMap(), dataInfo,
        "offline-" + Long.toHexString(System.currentTimeMillis()), Long.MAX_VALUE);
    ModelMetadata written = ModelRegistry.writeVersion(out, pkg.metadata(), pkg.onnx(), version);
    System.out.println(new JsonObject()
        .put("name", written.name()).put("version", written.version())
        .put("dir", out.resolve(name).resolve(Integer.toString(written.version())).toString())
        .put("onnxBytes", pkg.onnx().length)
        .put("trainSeconds", r.trainNanos() / 1e9)
        .put("accuracy", r.metrics().accuracy()).put("macroF1", r.metrics().macroF1())
        .put("nodes", r.forest().nodeCount()).put("data", dataInfo).encode());
    return 0;
  }
}
