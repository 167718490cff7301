package io.mlserve.testing;

import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.onnx.TreeEnsembleExporter;
import io.mlserve.onnx.TreeForest;
import io.mlserve.registry.ModelMetadata;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Random;

/**
 * Small but real Covertype models for tests that need one before any training ran: a random forest of random
 * trees over the one-hot encoding, exported by the project's ONNX exporter, with a metadata.json that follows the
 * documented format. Predictions are arbitrary but deterministic for a seed.
 */
public final class TestModels {
  private TestModels() {
  }

  public record Model(ModelMetadata metadata, byte[] onnx, TreeForest forest) {
  }

  public static Model randomForest(String name, long seed, int trees) {
    FeatureEncoding enc = FeatureEncoding.covertypeOneHot();
    long[] classes = CovertypeSchema.CLASSES.stream().mapToLong(Integer::longValue).toArray();
    Random r = new Random(seed);
    TreeForest forest = new TreeForest(enc.width(), classes);
    for (int t = 0; t < trees; t++) {
      TreeForest.Tree tree = new TreeForest.Tree();
      grow(tree, r, 6, enc.width(), classes.length);
      forest.add(tree);
    }
    JsonObject meta = new JsonObject()
        .put("name", name)
        .put("createdAt", "2026-01-01T00:00:00Z")
        .put("framework", "test random trees")
        .put("target", CovertypeSchema.LABEL)
        .put("classes", new JsonArray(CovertypeSchema.CLASSES))
        .put("features", new JsonArray(enc.toSpec()))
        .put("inputWidth", enc.width())
        .put("onnx", new JsonObject().put("file", "model.onnx").put("input", TreeEnsembleExporter.INPUT)
            .put("label", TreeEnsembleExporter.LABEL).put("probabilities", TreeEnsembleExporter.PROBABILITIES))
        .put("params", new JsonObject().put("trees", trees).put("seed", seed))
        .put("metrics", new JsonObject().put("accuracy", 0.5 + (seed % 10) / 100.0))
        .put("data", new JsonObject().put("rows", 0).put("hash", "none"));
    return new Model(ModelMetadata.parse(meta), TreeEnsembleExporter.export(forest, "mlserve-tests", name), forest);
  }

  private static int grow(TreeForest.Tree t, Random r, int depth, int width, int classes) {
    if (depth == 0) {
      double[] d = new double[classes];
      d[r.nextInt(classes)] = 0.7;
      d[r.nextInt(classes)] += 0.3;
      return t.leaf(d);
    }
    int feature = r.nextInt(width);
    // numeric columns get thresholds in their usual range, one-hot columns split at 0.5
    double threshold = feature < 10 ? 100 + r.nextInt(3000) : 0.5;
    int node = t.split(feature, threshold);
    int left = grow(t, r, depth - 1, width, classes);
    int right = grow(t, r, depth - 1, width, classes);
    t.children(node, left, right);
    return node;
  }
}
