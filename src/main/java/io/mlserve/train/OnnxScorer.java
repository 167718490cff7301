package io.mlserve.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mlserve.registry.ModelMetadata;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Scores encoded rows with an ONNX model through ONNX Runtime, the way serving does: used to evaluate the current
 * production model on a new model's test split before promotion, and by the parity tests. One thread, in batches,
 * tensors and results closed (native memory).
 */
public final class OnnxScorer implements AutoCloseable {
  private static final int BATCH = 4096;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final ModelMetadata metadata;

  public OnnxScorer(byte[] model, ModelMetadata metadata) throws OrtException {
    this.metadata = metadata;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      this.session = env.createSession(model, options);
    }
  }

  /** Predicted labels (class values, e.g. 1-7) of {@code rows} rows encoded with the model's own encoding. */
  public long[] predictLabels(float[] x, int rows) throws OrtException {
    int width = metadata.encoding().width();
    long[] out = new long[rows];
    for (int start = 0; start < rows; start += BATCH) {
      int n = Math.min(BATCH, rows - start);
      FloatBuffer buf = FloatBuffer.wrap(x, start * width, n * width).slice();
      try (OnnxTensor input = OnnxTensor.createTensor(env, buf, new long[] {n, width});
           OrtSession.Result result = session.run(Map.of(metadata.inputName(), input))) {
        long[] labels = (long[]) result.get(metadata.labelOutput()).orElseThrow().getValue();
        System.arraycopy(labels, 0, out, start, n);
      }
    }
    return out;
  }

  /** Probabilities [rows][classes] in the metadata's class order. */
  public float[][] predictProbabilities(float[] x, int rows) throws OrtException {
    int width = metadata.encoding().width();
    float[][] out = new float[rows][];
    for (int start = 0; start < rows; start += BATCH) {
      int n = Math.min(BATCH, rows - start);
      FloatBuffer buf = FloatBuffer.wrap(x, start * width, n * width).slice();
      try (OnnxTensor input = OnnxTensor.createTensor(env, buf, new long[] {n, width});
           OrtSession.Result result = session.run(Map.of(metadata.inputName(), input))) {
        float[][] p = (float[][]) result.get(metadata.probabilitiesOutput()).orElseThrow().getValue();
        System.arraycopy(p, 0, out, start, n);
      }
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
