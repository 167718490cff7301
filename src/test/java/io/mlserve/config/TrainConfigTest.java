package io.mlserve.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainConfigTest {
  @Test
  @DisplayName("train defaults, environment overrides (lists as comma-separated integers) and named errors")
  void trainSection() {
    TrainConfig d = ConfigLoader.load(null, Map.of()).train();
    assertThat(d.modelName()).isEqualTo("modelo1");
    assertThat(d.testFraction()).isEqualTo(0.2);
    assertThat(d.seed()).isEqualTo(42);
    assertThat(d.promoteOnlyIfBetter()).isTrue();
    assertThat(d.defaults().trees()).isEqualTo(100);

    TrainConfig env = ConfigLoader.load(null, Map.of("MLSERVE_TRAIN_SEARCH_TREES", "10, 20",
        "MLSERVE_TRAIN_POOL_SIZE", "4", "MLSERVE_TRAIN_PROMOTION_METRIC", "macroF1")).train();
    assertThat(env.search().trees()).containsExactly(10, 20);
    assertThat(env.poolSize()).isEqualTo(4);
    assertThat(env.promotionMetric()).isEqualTo("macroF1");

    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_TRAIN_SEARCH_TREES", "10,lots")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("train.search.trees");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), new JsonObject().put("train",
        new JsonObject().put("search", new JsonObject().put("maxDepth", new JsonArray())))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("train.search.maxDepth");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_TRAIN_TEST_FRACTION", "1.5")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("train.testFraction");
  }
}
