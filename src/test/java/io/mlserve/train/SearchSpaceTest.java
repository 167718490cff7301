package io.mlserve.train;

import io.mlserve.config.TrainConfig;
import io.mlserve.train.forest.ForestParams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SearchSpaceTest {
  private static TrainConfig.Search space(String strategy, int budget) {
    return new TrainConfig.Search(strategy, budget, List.of(50, 100), List.of(0, 16, 24), List.of(0, 10),
        List.of(1, 4));
  }

  @Test
  @DisplayName("grid tries every combination; random draws `budget` distinct ones, the same for the same seed")
  void candidates() {
    assertThat(SearchSpace.candidates(space("grid", 3), 256, 42)).hasSize(24);
    List<ForestParams> a = SearchSpace.candidates(space("random", 5), 256, 42);
    assertThat(a).hasSize(5).doesNotHaveDuplicates();
    assertThat(SearchSpace.candidates(space("random", 5), 256, 42)).isEqualTo(a);
    assertThat(new HashSet<>(SearchSpace.candidates(space("random", 5), 256, 7))).isNotEqualTo(new HashSet<>(a));
    assertThat(SearchSpace.candidates(space("random", 100), 256, 42)).hasSize(24);
    assertThat(a).allSatisfy(p -> assertThat(p.seed()).isEqualTo(42));
  }
}
