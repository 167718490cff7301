package io.mlserve.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Writes a {@link TreeForest} as one {@code ai.onnx.ml} TreeEnsembleClassifier: input {@code features} float [N, F],
 * outputs {@code label} int64 [N] and {@code probabilities} float [N, C] (plain tensors, no ZipMap).
 *
 * <p>Hand-written because neither Smile nor Tribuo can export tree models to ONNX. Leaf weights are the leaf's class
 * probability divided by the number of trees, so ORT's sum ({@code post_transform=NONE}) is the forest mean.
 * Thresholds are rounded down to float, which keeps {@code x <= t} identical to the double-precision trainer for
 * every float input.
 */
public final class TreeEnsembleExporter {
  public static final String INPUT = "features";
  public static final String LABEL = "label";
  public static final String PROBABILITIES = "probabilities";
  public static final int IR_VERSION = 8;
  public static final int OPSET = 13;
  public static final int ML_OPSET = 3;

  private TreeEnsembleExporter() {
  }

  /**
   * @throws IllegalArgumentException for fewer than 3 classes: ORT's binary special case reports class indexes
   *                                  instead of labels (measured), so declare every class label, even unseen ones
   */
  public static byte[] export(TreeForest forest, String producer, String docString) {
    if (forest.numClasses() < 3) {
      throw new IllegalArgumentException("the ONNX export needs at least 3 classes (got " + forest.numClasses()
          + "); declare every label of the problem");
    }
    if (forest.trees().isEmpty()) {
      throw new IllegalArgumentException("the forest has no trees");
    }
    AttributeProto.Builder treeIds = ints("nodes_treeids");
    AttributeProto.Builder nodeIds = ints("nodes_nodeids");
    AttributeProto.Builder featureIds = ints("nodes_featureids");
    AttributeProto.Builder values = floats("nodes_values");
    AttributeProto.Builder modes = strings("nodes_modes");
    AttributeProto.Builder trueIds = ints("nodes_truenodeids");
    AttributeProto.Builder falseIds = ints("nodes_falsenodeids");
    AttributeProto.Builder classTreeIds = ints("class_treeids");
    AttributeProto.Builder classNodeIds = ints("class_nodeids");
    AttributeProto.Builder classIds = ints("class_ids");
    AttributeProto.Builder classWeights = floats("class_weights");

    int numClasses = forest.numClasses();
    float perTree = 1f / forest.trees().size();
    int treeIndex = 0;
    for (TreeForest.Tree tree : forest.trees()) {
      for (int n = 0; n < tree.size(); n++) {
        treeIds.addInts(treeIndex);
        nodeIds.addInts(n);
        if (tree.isLeaf(n)) {
          featureIds.addInts(0);
          values.addFloats(0f);
          modes.addStrings(com.google.protobuf.ByteString.copyFromUtf8("LEAF"));
          trueIds.addInts(0);
          falseIds.addInts(0);
          double[] dist = tree.distribution(n);
          for (int c = 0; c < numClasses; c++) {
            if (dist[c] != 0) {
              classTreeIds.addInts(treeIndex);
              classNodeIds.addInts(n);
              classIds.addInts(c);
              classWeights.addFloats((float) dist[c] * perTree);
            }
          }
        } else {
          featureIds.addInts(tree.feature(n));
          values.addFloats(TreeForest.Tree.floatThreshold(tree.threshold(n)));
          modes.addStrings(com.google.protobuf.ByteString.copyFromUtf8("BRANCH_LEQ"));
          trueIds.addInts(tree.left(n));
          falseIds.addInts(tree.right(n));
        }
      }
      treeIndex++;
    }
    AttributeProto.Builder labels = AttributeProto.newBuilder().setName("classlabels_int64s")
        .setType(AttributeProto.AttributeType.INTS);
    for (long l : forest.classLabels()) {
      labels.addInts(l);
    }
    NodeProto node = NodeProto.newBuilder()
        .setOpType("TreeEnsembleClassifier")
        .setDomain("ai.onnx.ml")
        .setName("forest")
        .addInput(INPUT)
        .addOutput(LABEL)
        .addOutput(PROBABILITIES)
        .addAttribute(treeIds).addAttribute(nodeIds).addAttribute(featureIds).addAttribute(values)
        .addAttribute(modes).addAttribute(trueIds).addAttribute(falseIds)
        .addAttribute(classTreeIds).addAttribute(classNodeIds).addAttribute(classIds).addAttribute(classWeights)
        .addAttribute(labels)
        .addAttribute(AttributeProto.newBuilder().setName("post_transform")
            .setType(AttributeProto.AttributeType.STRING)
            .setS(com.google.protobuf.ByteString.copyFromUtf8("NONE")))
        .build();
    GraphProto graph = GraphProto.newBuilder()
        .setName("random_forest")
        .addNode(node)
        .addInput(tensor(INPUT, TensorProto.DataType.FLOAT, -1, forest.numFeatures()))
        .addOutput(tensor(LABEL, TensorProto.DataType.INT64, -1))
        .addOutput(tensor(PROBABILITIES, TensorProto.DataType.FLOAT, -1, numClasses))
        .build();
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName(producer)
        .setProducerVersion("1")
        .setDocString(docString == null ? "" : docString)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(ML_OPSET))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  private static AttributeProto.Builder ints(String name) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
  }

  private static AttributeProto.Builder floats(String name) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
  }

  private static AttributeProto.Builder strings(String name) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
  }

  /** A tensor value; a dimension of -1 is symbolic (the batch size). */
  private static ValueInfoProto tensor(String name, TensorProto.DataType type, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(type.getNumber()).setShape(shape)))
        .build();
  }
}
