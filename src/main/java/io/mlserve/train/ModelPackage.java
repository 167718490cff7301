package io.mlserve.train;

import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.onnx.TreeEnsembleExporter;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.train.forest.ForestModel;
import io.mlserve.train.forest.ForestParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;

/**
 * A trained forest as the registry stores it: the ONNX TreeEnsembleClassifier and its {@code metadata.json} (feature
 * order and category encodings, class labels, params, metrics, data row count and hash; format in
 * docs/architecture.md).
 */
public record ModelPackage(ModelMetadata metadata, byte[] onnx) {
  public static final String FRAMEWORK = "mlserve RandomForest (binned Gini trees)";

  /**
   * @throws IllegalArgumentException when the forest has more than {@code maxNodes} nodes (the ONNX file would be
   *                                  too large to load comfortably; lower maxDepth or trees)
   */
  public static ModelPackage of(String name, ForestModel forest, TrainingSet data, ForestParams params,
                                Map<String, Object> metrics, JsonObject dataInfo, String experimentId,
                                long maxNodes) {
    if (forest.nodeCount() > maxNodes) {
      throw new IllegalArgumentException("the forest has " + forest.nodeCount() + " nodes, over train.maxModelNodes ("
          + maxNodes + "): lower maxDepth or trees, or raise train.maxModelNodes");
    }
    byte[] onnx = TreeEnsembleExporter.export(forest.toTreeForest(), "mlserve",
        "random forest for " + CovertypeSchema.LABEL + ", " + forest.trees().size() + " trees");
    JsonObject meta = new JsonObject()
        .put("name", name)
        .put("createdAt", Instant.now().toString())
        .put("framework", FRAMEWORK)
        .put("target", CovertypeSchema.LABEL)
        .put("classes", new JsonArray(java.util.Arrays.stream(forest.classLabels()).boxed().toList()))
        .put("features", new JsonArray(data.encoding().toSpec()))
        .put("inputWidth", data.encoding().width())
        .put("onnx", new JsonObject().put("file", "model.onnx").put("input", TreeEnsembleExporter.INPUT)
            .put("label", TreeEnsembleExporter.LABEL).put("probabilities", TreeEnsembleExporter.PROBABILITIES)
            .put("irVersion", TreeEnsembleExporter.IR_VERSION).put("opset", TreeEnsembleExporter.OPSET)
            .put("mlOpset", TreeEnsembleExporter.ML_OPSET))
        .put("params", new JsonObject(params.toMap()))
        .put("metrics", new JsonObject(metrics))
        .put("data", dataInfo.copy())
        .put("forest", new JsonObject().put("nodes", forest.nodeCount()).put("maxDepth", forest.maxDepth()))
        .put("experimentId", experimentId);
    return new ModelPackage(ModelMetadata.parse(meta), onnx);
  }
}
