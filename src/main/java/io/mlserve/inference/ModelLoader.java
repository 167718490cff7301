package io.mlserve.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mlserve.registry.ModelMetadata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates ONNX Runtime sessions with explicit options and checks that the graph matches its metadata.json (input
 * name and width, label and probability outputs), so a broken or mismatched model is refused when it is loaded, never
 * at the first prediction. Blocking: call it from a worker thread.
 */
public final class ModelLoader {
  /** Session options from configuration. */
  public record SessionSettings(int intraOpThreads, int interOpThreads, String optimizationLevel) {
    OrtSession.SessionOptions toOptions() throws OrtException {
      OrtSession.SessionOptions o = new OrtSession.SessionOptions();
      o.setIntraOpNumThreads(intraOpThreads);
      o.setInterOpNumThreads(interOpThreads);
      o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      o.setOptimizationLevel(switch (optimizationLevel.toLowerCase(Locale.ROOT)) {
        case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
        case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      });
      return o;
    }
  }

  /** A model that cannot serve: unreadable file, not ONNX, or a graph that does not match its metadata. */
  public static final class ModelLoadException extends Exception {
    public ModelLoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final AtomicInteger openSessions = new AtomicInteger();
  private final SessionSettings settings;

  /**
   * Loads ONNX Runtime's native library and creates its environment (about 0.3 s, once per process), so that the
   * first loader made on an event loop does not pay for it. Safe to call from any thread, any number of times.
   */
  public static void warmUp() {
    OrtEnvironment.getEnvironment();
  }

  public ModelLoader(SessionSettings settings) {
    this.settings = settings;
  }

  /** Sessions created by this loader and not closed yet (hot swaps must not leave old ones behind). */
  public int openSessions() {
    return openSessions.get();
  }

  public SessionSettings settings() {
    return settings;
  }

  public LoadedModel load(Path modelFile, ModelMetadata metadata) throws ModelLoadException {
    String what = metadata.name() + " version " + metadata.version();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(modelFile);
    } catch (java.io.IOException e) {
      throw new ModelLoadException("cannot read " + modelFile + " of model " + what + ": " + e, e);
    }
    String expected = metadata.modelSha256();
    if (expected != null) {
      String actual = ModelMetadata.sha256Hex(bytes);
      if (!expected.equals(actual)) {
        // ONNX Runtime accepts some damaged files (a flipped threshold still parses): the checksum catches them
        throw new ModelLoadException("model " + what + ": model.onnx is corrupt or truncated (" + bytes.length
            + " bytes, sha256 " + actual + " but metadata.json records " + expected + ")", null);
      }
    }
    return load(bytes, metadata);
  }

  public LoadedModel load(byte[] onnx, ModelMetadata metadata) throws ModelLoadException {
    String what = metadata.name() + " version " + metadata.version();
    long t0 = System.nanoTime();
    OrtSession session;
    try (OrtSession.SessionOptions options = settings.toOptions()) {
      session = env.createSession(onnx, options);
    } catch (OrtException e) {
      throw new ModelLoadException("ONNX Runtime cannot load model " + what + ": " + e.getMessage(), e);
    }
    try {
      check(session, metadata);
    } catch (ModelLoadException | RuntimeException e) {
      closeQuietly(session);
      throw e instanceof ModelLoadException m ? m : new ModelLoadException(e.getMessage(), e);
    }
    openSessions.incrementAndGet();
    return new LoadedModel(metadata, env, session, (System.nanoTime() - t0) / 1_000_000, openSessions::decrementAndGet);
  }

  private static void check(OrtSession session, ModelMetadata m) throws ModelLoadException {
    String what = m.name() + " version " + m.version();
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      NodeInfo input = inputs.get(m.inputName());
      if (input == null) {
        throw new ModelLoadException("model " + what + ": metadata.json names input '" + m.inputName()
            + "' but the graph has " + inputs.keySet(), null);
      }
      if (input.getInfo() instanceof TensorInfo t) {
        long[] shape = t.getShape();
        int width = m.encoding().width();
        if (shape.length != 2 || (shape[1] >= 0 && shape[1] != width)) {
          throw new ModelLoadException("model " + what + ": input '" + m.inputName() + "' has shape "
              + java.util.Arrays.toString(shape) + " but the features encode to " + width + " columns", null);
        }
      }
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      for (String out : new String[] {m.labelOutput(), m.probabilitiesOutput()}) {
        if (!outputs.containsKey(out)) {
          throw new ModelLoadException("model " + what + ": metadata.json names output '" + out
              + "' but the graph has " + outputs.keySet(), null);
        }
      }
    } catch (OrtException e) {
      throw new ModelLoadException("model " + what + ": cannot inspect the graph: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException ignored) {
      // already failing; the original problem is what matters
    }
  }
}
