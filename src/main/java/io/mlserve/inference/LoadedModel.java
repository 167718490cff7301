package io.mlserve.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.registry.ModelMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version with its ONNX Runtime session, shared by every request it serves. Reference counted so a hot
 * swap never closes a session under a running request: the holder of the serving slot owns one reference, every
 * request holds one while it is queued or running, and the session closes when the count reaches zero after
 * {@link #retire()}.
 */
public final class LoadedModel {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

  private final ModelMetadata metadata;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final long loadMillis;
  private final Instant loadedAt = Instant.now();
  private final Set<String> outputs;
  private final String inputName;
  // whether the graph's outputs fit RunTensors' pinned tensors (an int64 label per row, float probabilities)
  private final boolean pinnable;
  private final RowEncoder encoder;
  private final long[] classes;
  private final String target;
  // 1 = the owner's reference; 0 = closed (never goes up again)
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicInteger retired = new AtomicInteger();

  private final Runnable onClose;

  LoadedModel(ModelMetadata metadata, OrtEnvironment env, OrtSession session, long loadMillis, Runnable onClose) {
    this.onClose = onClose;
    this.metadata = metadata;
    this.env = env;
    this.session = session;
    this.loadMillis = loadMillis;
    this.outputs = Set.of(metadata.labelOutput(), metadata.probabilitiesOutput());
    this.inputName = metadata.inputName();
    this.encoder = new RowEncoder(metadata.encoding());
    this.classes = metadata.classes();
    this.target = metadata.toJson().getString("target", CovertypeSchema.LABEL);
    this.pinnable = pinnable(session, metadata, classes.length);
  }

  private static boolean pinnable(OrtSession session, ModelMetadata metadata, int classes) {
    try {
      var outs = session.getOutputInfo();
      return outs.get(metadata.labelOutput()).getInfo() instanceof TensorInfo label
          && label.type == OnnxJavaType.INT64 && label.getShape().length == 1
          && outs.get(metadata.probabilitiesOutput()).getInfo() instanceof TensorInfo probs
          && probs.type == OnnxJavaType.FLOAT && probs.getShape().length == 2
          && (probs.getShape()[1] < 0 || probs.getShape()[1] == classes);
    } catch (OrtException | RuntimeException e) {
      return false;
    }
  }

  /** Name of the predicted field ({@code Cover_Type}), from metadata.json. */
  public String target() {
    return target;
  }

  RowEncoder encoder() {
    return encoder;
  }

  /** Class labels in the order of the probability columns. */
  public long[] classes() {
    return classes.clone();
  }

  public String name() {
    return metadata.name();
  }

  public int version() {
    return metadata.version();
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public long loadMillis() {
    return loadMillis;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  /** References held by requests (plus the owner's until retired). */
  public int references() {
    return refs.get();
  }

  public boolean isClosed() {
    return refs.get() == 0;
  }

  /** Takes a reference for one request; false once the model has been closed (the caller looks again). */
  public boolean tryAcquire() {
    while (true) {
      int n = refs.get();
      if (n == 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /**
   * Takes {@code n} more references for a caller that already holds one (so the model cannot close meanwhile): the
   * parts of a request cut into chunks, or the other requests of a coalesced batch.
   */
  public void acquireMore(int n) {
    if (n <= 0) {
      return;
    }
    if (refs.getAndAdd(n) <= 0) {
      refs.addAndGet(-n);
      throw new IllegalStateException("model " + this + " closed while referenced");
    }
  }

  public void release() {
    int n = refs.decrementAndGet();
    if (n == 0) {
      close();
    } else if (n < 0) {
      throw new IllegalStateException("model " + this + " released more often than acquired");
    }
  }

  /** Gives up the owner's reference: the session closes as soon as the requests holding it are done. */
  public void retire() {
    if (retired.compareAndSet(0, 1)) {
      release();
    }
  }

  private void close() {
    try {
      session.close();
      onClose.run();
      LOG.info("closed session of model {} version {}", name(), version());
    } catch (OrtException e) {
      LOG.warn("closing the session of model {} version {} failed: {}", name(), version(), e.getMessage());
    }
  }

  /** Raw outputs of one run: labels per row and probabilities row-major ({@code rows × classes}). */
  public record Output(long[] labels, float[] probabilities, int classes) {
  }

  /**
   * Runs {@code rows} encoded rows ({@code features} holds {@code rows × width} floats). The caller holds a
   * reference. Tensors and results are closed here, always: their memory is native and outside the Java heap.
   * Runs of up to {@link RunTensors#MAX_ROWS} rows reuse this thread's tensors instead (see {@link RunTensors}).
   */
  public Output run(float[] features, int rows) throws OrtException {
    return pinnable && rows <= RunTensors.MAX_ROWS ? runPinned(features, rows) : runAllocating(features, rows);
  }

  Output runPinned(float[] features, int rows) throws OrtException {
    int width = encoder.width();
    RunTensors.Shape t = RunTensors.ofThread(env).shape(rows, width, classes.length);
    t.input.clear();
    t.input.put(features, 0, rows * width);
    // pinned outputs are written in place and stay open when the result closes
    try (OrtSession.Result ignored = session.run(Map.of(inputName, t.inputTensor), Set.of(),
        Map.of(metadata.labelOutput(), t.labelsTensor, metadata.probabilitiesOutput(), t.probabilitiesTensor))) {
      long[] l = new long[rows];
      t.labels.get(0, l);
      float[] p = new float[rows * classes.length];
      t.probabilities.get(0, p);
      return new Output(l, p, classes.length);
    }
  }

  /**
   * Runs with tensors created for this run and closed after it: the path of runs too large to keep tensors for.
   * Public so the benchmark can time both ways on one model.
   */
  public Output runAllocating(float[] features, int rows) throws OrtException {
    int width = encoder.width();
    FloatBuffer buffer = RunTensors.ofThread(env).largeInput(features, rows * width);
    try (OnnxTensor input = OnnxTensor.createTensor(env, buffer, new long[] {rows, width});
         OrtSession.Result result = session.run(Map.of(inputName, input), outputs)) {
      LongBuffer labels = ((OnnxTensor) result.get(metadata.labelOutput()).orElseThrow()).getLongBuffer();
      FloatBuffer probs = ((OnnxTensor) result.get(metadata.probabilitiesOutput()).orElseThrow()).getFloatBuffer();
      long[] l = new long[labels.remaining()];
      labels.get(l);
      float[] p = new float[probs.remaining()];
      probs.get(p);
      if (l.length != rows || p.length != rows * classes.length) {
        throw new IllegalStateException("model " + this + " returned " + l.length + " labels and " + p.length
            + " probabilities for " + rows + " rows");
      }
      return new Output(l, p, classes.length);
    }
  }

  @Override
  public String toString() {
    return name() + ":" + version();
  }
}
