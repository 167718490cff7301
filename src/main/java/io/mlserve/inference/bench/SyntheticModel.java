package io.mlserve.inference.bench;

import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.onnx.TreeEnsembleExporter;
import io.mlserve.onnx.TreeForest;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A Covertype-shaped random forest of full random trees, exported by the project's exporter, for benchmarks run
 * where no trained model is at hand. Its predictions mean nothing; its size and depth (and so its cost per row) are
 * what a benchmark needs.
 */
public final class SyntheticModel {
  private SyntheticModel() {
  }

  /** A forest, its ONNX export and its metadata.json (version 0 until it is written or registered). */
  public record Built(ModelMetadata metadata, byte[] onnx, TreeForest forest) {
  }

  /** Builds a forest of {@code trees} full random trees of {@code depth} over the Covertype one-hot encoding. */
  public static Built build(String name, int trees, int depth, long seed) {
    FeatureEncoding enc = FeatureEncoding.covertypeOneHot();
    long[] classes = CovertypeSchema.CLASSES.stream().mapToLong(Integer::longValue).toArray();
    Random r = new Random(seed);
    TreeForest forest = new TreeForest(enc.width(), classes);
    for (int t = 0; t < trees; t++) {
      TreeForest.Tree tree = new TreeForest.Tree();
      grow(tree, r, depth, enc.width(), classes.length);
      forest.add(tree);
    }
    JsonObject meta = new JsonObject()
        .put("name", name)
        .put("createdAt", java.time.Instant.now().toString())
        .put("framework", "synthetic random trees")
        .put("target", CovertypeSchema.LABEL)
        .put("classes", new JsonArray(CovertypeSchema.CLASSES))
        .put("features", new JsonArray(enc.toSpec()))
        .put("inputWidth", enc.width())
        .put("onnx", new JsonObject().put("file", ModelRegistry.MODEL_FILE).put("input", TreeEnsembleExporter.INPUT)
            .put("label", TreeEnsembleExporter.LABEL).put("probabilities", TreeEnsembleExporter.PROBABILITIES))
        .put("params", new JsonObject().put("trees", trees).put("maxDepth", depth).put("seed", seed))
        .put("metrics", new JsonObject())
        .put("data", new JsonObject().put("rows", 0).put("hash", "synthetic"));
    return new Built(ModelMetadata.parse(meta), TreeEnsembleExporter.export(forest, "mlserve-synthetic", name), forest);
  }

  /** Writes {@code modelsDir/name/version/} and returns the number of tree nodes. */
  public static int write(Path modelsDir, String name, int version, int trees, int depth, long seed)
      throws IOException {
    Built built = build(name, trees, depth, seed);
    Path dir = modelsDir.resolve(name).resolve(Integer.toString(version));
    Files.createDirectories(dir);
    Files.write(dir.resolve(ModelRegistry.MODEL_FILE), built.onnx());
    Files.writeString(dir.resolve(ModelRegistry.METADATA_FILE),
        built.metadata().withVersion(version).toJson().encodePrettily());
    return built.forest().nodeCount();
  }

  private static int grow(TreeForest.Tree t, Random r, int depth, int width, int classes) {
    if (depth == 0) {
      double[] d = new double[classes];
      d[r.nextInt(classes)] = 0.6;
      d[r.nextInt(classes)] += 0.4;
      return t.leaf(d);
    }
    int feature = r.nextInt(width);
    double threshold = feature < 10 ? r.nextInt(3500) : 0.5;
    int node = t.split(feature, threshold);
    int left = grow(t, r, depth - 1, width, classes);
    int right = grow(t, r, depth - 1, width, classes);
    t.children(node, left, right);
    return node;
  }
}
