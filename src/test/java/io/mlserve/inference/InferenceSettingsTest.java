package io.mlserve.inference;

import io.mlserve.config.ConfigException;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.InferenceConfig;
import io.mlserve.testing.TestModels;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceSettingsTest {

  @Test
  @DisplayName("inference.* defaults, environment overrides, and invalid values named with their source")
  void config() {
    InferenceConfig d = ConfigLoader.load(null, Map.of()).inference();
    assertThat(d.defaultModel()).isEqualTo("modelo1");
    assertThat(d.intraOpThreads()).isEqualTo(1);
    assertThat(d.batching()).isTrue();
    assertThat(d.maxBatchRows()).isEqualTo(64);
    assertThat(d.maxRowsPerRequest()).isEqualTo(10_000);
    InferenceConfig env = ConfigLoader.load(null, Map.of("MLSERVE_INFERENCE_BATCHING", "false",
        "MLSERVE_INFERENCE_MAX_WAIT_MICROS", "500", "MLSERVE_INFERENCE_OPTIMIZATION_LEVEL", "basic")).inference();
    assertThat(env.batching()).isFalse();
    assertThat(env.maxWaitMicros()).isEqualTo(500);
    assertThat(env.optimizationLevel()).isEqualTo("basic");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_INFERENCE_OPTIMIZATION_LEVEL", "fast")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("inference.optimizationLevel")
        .hasMessageContaining("MLSERVE_INFERENCE_OPTIMIZATION_LEVEL").hasMessageContaining("'fast'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_INFERENCE_THREADS", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("inference.threads");
  }

  @Test
  @DisplayName("sessions are created with each optimisation level and thread setting, and agree on the answer")
  void sessionOptions() throws Exception {
    TestModels.Model m = TestModels.randomForest("m", 3, 7);
    float[] row = io.mlserve.covertype.FeatureEncoding.covertypeOneHot().encode(
        new java.util.HashMap<>(InferenceFixtures.EXAMPLE_ROW));
    float[] expected = null;
    for (String level : InferenceConfig.OPTIMIZATION_LEVELS) {
      ModelLoader loader = new ModelLoader(new ModelLoader.SessionSettings(2, 1, level));
      LoadedModel model = loader.load(m.onnx(), m.metadata().withVersion(1));
      float[] p = model.run(row, 1).probabilities();
      if (expected == null) {
        expected = p;
      }
      assertThat(p).as(level).containsExactly(expected);
      model.retire();
      assertThat(loader.openSessions()).isZero();
    }
  }

  @Test
  @DisplayName("a graph that does not match its metadata.json is refused at load, naming the mismatch")
  void mismatchedGraph() {
    TestModels.Model m = TestModels.randomForest("m", 3, 2);
    var meta = m.metadata().withVersion(1).toJson();
    meta.getJsonObject("onnx").put("input", "X");
    ModelLoader loader = new ModelLoader(new ModelLoader.SessionSettings(1, 1, "all"));
    assertThatThrownBy(() -> loader.load(m.onnx(), io.mlserve.registry.ModelMetadata.parse(meta)))
        .isInstanceOf(ModelLoader.ModelLoadException.class).hasMessageContaining("input 'X'");
    assertThat(loader.openSessions()).isZero();
    assertThatThrownBy(() -> loader.load("garbage".getBytes(), m.metadata().withVersion(1)))
        .isInstanceOf(ModelLoader.ModelLoadException.class).hasMessageContaining("ONNX Runtime cannot load");
  }
}
