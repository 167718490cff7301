package io.mlserve.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TreeEnsembleExporterTest {

  /** A random tree of the given depth over {@code features} columns with values in [0, 100). */
  static TreeForest.Tree randomTree(Random r, int depth, int features, int classes) {
    TreeForest.Tree t = new TreeForest.Tree();
    grow(t, r, depth, features, classes);
    return t;
  }

  private static int grow(TreeForest.Tree t, Random r, int depth, int features, int classes) {
    if (depth == 0 || r.nextInt(10) == 0) {
      double[] d = new double[classes];
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        d[c] = r.nextInt(4) == 0 ? 0 : r.nextDouble();
        sum += d[c];
      }
      if (sum == 0) {
        d[r.nextInt(classes)] = 1;
        sum = 1;
      }
      for (int c = 0; c < classes; c++) {
        d[c] /= sum;
      }
      return t.leaf(d);
    }
    // thresholds that are not representable as floats exercise the rounding rule
    int node = t.split(r.nextInt(features), r.nextInt(100) + 0.1 + r.nextDouble() * 1e-9);
    int left = grow(t, r, depth - 1, features, classes);
    int right = grow(t, r, depth - 1, features, classes);
    t.children(node, left, right);
    return node;
  }

  @Test
  @DisplayName("ONNX Runtime predicts exactly what the forest predicts: labels and probabilities")
  void parityWithOnnxRuntime() throws Exception {
    Random r = new Random(42);
    int features = 54;
    long[] labels = {1, 2, 3, 4, 5, 6, 7};
    TreeForest forest = new TreeForest(features, labels);
    for (int i = 0; i < 30; i++) {
      forest.add(randomTree(r, 8, features, labels.length));
    }
    byte[] model = TreeEnsembleExporter.export(forest, "mlserve-test", "random forest");
    int rows = 2000;
    float[] x = new float[rows * features];
    for (int i = 0; i < x.length; i++) {
      // integers, and exact threshold values, hit the x == t boundary often
      x[i] = r.nextInt(3) == 0 ? (float) (r.nextInt(100) + 0.1) : r.nextInt(101);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
         OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, features});
         OrtSession.Result result = session.run(Map.of(TreeEnsembleExporter.INPUT, input))) {
      long[] ortLabels = (long[]) result.get(TreeEnsembleExporter.LABEL).get().getValue();
      float[][] ortProba = (float[][]) result.get(TreeEnsembleExporter.PROBABILITIES).get().getValue();
      int mismatches = 0;
      float maxDiff = 0;
      for (int i = 0; i < rows; i++) {
        float[] row = java.util.Arrays.copyOfRange(x, i * features, (i + 1) * features);
        float[] p = forest.predictProba(row);
        if (forest.predict(row) != ortLabels[i]) {
          mismatches++;
        }
        for (int c = 0; c < labels.length; c++) {
          maxDiff = Math.max(maxDiff, Math.abs(p[c] - ortProba[i][c]));
        }
      }
      assertThat(mismatches).isZero();
      assertThat(maxDiff).isLessThan(1e-5f);
    }
  }

  @Test
  @DisplayName("a single split routes x == threshold to the left (<=) branch in ORT too")
  void boundary() throws Exception {
    TreeForest.Tree t = new TreeForest.Tree();
    int root = t.split(0, 10.0);
    t.children(root, t.leaf(new double[] {1, 0, 0}), t.leaf(new double[] {0, 0, 1}));
    TreeForest forest = new TreeForest(1, new long[] {3, 5, 9}).add(t);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(TreeEnsembleExporter.export(forest, "t", ""), new OrtSession.SessionOptions());
         OnnxTensor in = OnnxTensor.createTensor(env, new float[][] {{9.99f}, {10f}, {10.01f}});
         OrtSession.Result res = s.run(Map.of("features", in))) {
      assertThat((long[]) res.get("label").get().getValue()).containsExactly(3, 3, 9);
    }
  }

  @Test
  @DisplayName("two-class forests are refused: ONNX Runtime treats binary tree ensembles specially")
  void binaryRefused() {
    TreeForest.Tree t = new TreeForest.Tree();
    t.leaf(new double[] {1, 0});
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            TreeEnsembleExporter.export(new TreeForest(1, new long[] {0, 1}).add(t), "t", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3 classes");
  }
}
