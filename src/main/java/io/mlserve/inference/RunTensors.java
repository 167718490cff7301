package io.mlserve.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One thread's input and output tensors for small runs, kept from run to run, and its input buffer for larger runs.
 * A single-row run spent about two thirds of its time in ONNX Runtime's Java binding creating the input tensor and
 * the output tensors it returns (measured: 7.1 us per run that way, 2.5 us with these tensors reused and the outputs
 * pinned). Runs of more than {@link #MAX_ROWS} rows are rare and long enough that the allocation does not matter, so
 * their tensors are not kept.
 *
 * <p>The tensors wrap direct buffers: ONNX Runtime reads the input from, and writes the outputs into, the buffers'
 * memory in place. They belong to no session, so they outlive hot swaps. Not thread-safe: one per thread.
 */
final class RunTensors implements AutoCloseable {
  /** The largest run whose tensors are kept: the default micro-batch size. */
  static final int MAX_ROWS = 64;
  // shapes (rows x width x classes) kept per thread; past this the cache starts again, so a stream of models of
  // different widths cannot grow it without bound
  private static final int MAX_SHAPES = 4 * MAX_ROWS;

  private static final ThreadLocal<RunTensors> OF_THREAD = new ThreadLocal<>();

  private final OrtEnvironment env;
  private final Map<Long, Shape> shapes = new HashMap<>();
  // input of the larger runs, which get a fresh tensor each time: ORT uses a direct buffer in place, where a heap
  // array would be copied into a fresh direct buffer on every run (churn freed only by GC, and System.gc() calls when
  // direct memory runs short)
  private FloatBuffer largeInput;

  private RunTensors(OrtEnvironment env) {
    this.env = env;
  }

  /** This thread's tensors, created on first use. */
  static RunTensors ofThread(OrtEnvironment env) {
    RunTensors t = OF_THREAD.get();
    if (t == null) {
      t = new RunTensors(env);
      OF_THREAD.set(t);
    }
    return t;
  }

  /** Frees this thread's tensors; a thread that ran predictions calls this before it ends. */
  static void closeOfThread() {
    RunTensors t = OF_THREAD.get();
    if (t != null) {
      OF_THREAD.remove();
      t.close();
    }
  }

  /** Tensors for a run of {@code rows} rows of {@code width} features into {@code classes} probabilities. */
  Shape shape(int rows, int width, int classes) throws OrtException {
    if (rows < 1 || rows > MAX_ROWS) {
      throw new IllegalArgumentException("runs of 1.." + MAX_ROWS + " rows keep their tensors, not " + rows);
    }
    long key = ((long) classes << 40) | ((long) width << 16) | rows;
    Shape s = shapes.get(key);
    if (s == null) {
      if (shapes.size() >= MAX_SHAPES) {
        close();
      }
      s = new Shape(env, rows, width, classes);
      shapes.put(key, s);
    }
    return s;
  }

  /** {@code features[0, n)} in this thread's direct buffer for runs that do not keep their tensors. */
  FloatBuffer largeInput(float[] features, int n) {
    if (largeInput == null || largeInput.capacity() < n) {
      largeInput = direct(Math.max(n, 4096) * Float.BYTES).asFloatBuffer();
    }
    FloatBuffer b = largeInput;
    b.clear();
    b.put(features, 0, n);
    b.flip();
    return b;
  }

  int kept() {
    return shapes.size();
  }

  @Override
  public void close() {
    shapes.values().forEach(Shape::close);
    shapes.clear();
    largeInput = null;
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  /** The tensors of one run shape and the buffers they wrap. */
  static final class Shape {
    final FloatBuffer input;
    final OnnxTensor inputTensor;
    final LongBuffer labels;
    final OnnxTensor labelsTensor;
    final FloatBuffer probabilities;
    final OnnxTensor probabilitiesTensor;

    private Shape(OrtEnvironment env, int rows, int width, int classes) throws OrtException {
      input = direct(rows * width * Float.BYTES).asFloatBuffer();
      labels = direct(rows * Long.BYTES).asLongBuffer();
      probabilities = direct(rows * classes * Float.BYTES).asFloatBuffer();
      OnnxTensor in = OnnxTensor.createTensor(env, input, new long[] {rows, width});
      OnnxTensor lab = null;
      try {
        lab = OnnxTensor.createTensor(env, labels, new long[] {rows});
        probabilitiesTensor = OnnxTensor.createTensor(env, probabilities, new long[] {rows, classes});
      } catch (OrtException | RuntimeException e) {
        in.close();
        if (lab != null) {
          lab.close();
        }
        throw e;
      }
      inputTensor = in;
      labelsTensor = lab;
    }

    private void close() {
      inputTensor.close();
      labelsTensor.close();
      probabilitiesTensor.close();
    }
  }
}
