package io.mlserve.train.forest;

import io.mlserve.train.ClassificationMetrics;
import io.mlserve.train.OfflineTraining;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RandomForestTrainerTest {
  private static OfflineTraining.Split split;

  @BeforeAll
  static void data() {
    split = OfflineTraining.Split.of(OfflineTraining.synthetic(4000, 7), 0.2, 42);
  }

  private static ForestModel train(ForestParams p) {
    return RandomForestTrainer.train(split.trainX(), split.trainY(), split.trainY().length, split.data().columns(),
        split.data().classLabels(), p);
  }

  private static double accuracy(ForestModel m) {
    return ClassificationMetrics.of(split.testY(), m.predictIndexes(split.testX(), split.testY().length),
        split.data().classLabels()).accuracy();
  }

  @Test
  @DisplayName("the same data, params and seed give the same forest, whatever the number of threads")
  void deterministic() {
    ForestParams p = new ForestParams(12, 0, 0, 1, 256, 3);
    ForestModel sequential = train(p);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      ForestModel parallel = RandomForestTrainer.train(split.trainX(), split.trainY(), split.trainY().length,
          split.data().columns(), split.data().classLabels(), p, pool, 3, RandomForestTrainer.Progress.NONE,
          RandomForestTrainer.TreeDone.NONE).join();
      assertThat(parallel.nodeCount()).isEqualTo(sequential.nodeCount());
      for (int r = 0; r < split.testY().length; r++) {
        assertThat(parallel.predictProba(split.testX(), r * parallel.columns()))
            .containsExactly(sequential.predictProba(split.testX(), r * sequential.columns()));
      }
    } finally {
      pool.shutdownNow();
    }
    ForestModel otherSeed = train(p.withSeed(4));
    assertThat(otherSeed.nodeCount()).isNotEqualTo(sequential.nodeCount());
  }

  @Test
  @DisplayName("a forest learns the synthetic classes far better than the majority class, more trees help")
  void learns() {
    int[] counts = new int[7];
    for (int y : split.testY()) {
      counts[y]++;
    }
    double majority = (double) java.util.Arrays.stream(counts).max().orElseThrow() / split.testY().length;
    double one = accuracy(train(new ForestParams(1, 0, 0, 1, 256, 42)));
    double forty = accuracy(train(new ForestParams(40, 0, 0, 1, 256, 42)));
    assertThat(forty).isGreaterThan(majority + 0.2).isGreaterThan(one);
  }

  @Test
  @DisplayName("maxDepth bounds every tree; nodeSize bounds every leaf's training weight")
  void limits() {
    ForestModel shallow = train(new ForestParams(5, 4, 0, 1, 256, 42));
    assertThat(shallow.maxDepth()).isLessThanOrEqualTo(4);
    assertThat(shallow.trees()).allSatisfy(t -> assertThat(t.size()).isLessThanOrEqualTo(31));
    ForestModel coarse = train(new ForestParams(5, 0, 0, 50, 256, 42));
    ForestModel fine = train(new ForestParams(5, 0, 0, 1, 256, 42));
    // leaves of >= 50 weighted rows out of ~3200: at most 64 leaves per tree
    assertThat(coarse.trees()).allSatisfy(t -> assertThat((t.size() + 1) / 2).isLessThanOrEqualTo(64));
    assertThat(fine.nodeCount()).isGreaterThan(coarse.nodeCount() * 5);
  }

  @Test
  @DisplayName("leaves hold class distributions and splits send x <= threshold left")
  void structure() {
    ForestModel m = train(new ForestParams(3, 6, 0, 1, 256, 42));
    for (DecisionTree t : m.trees()) {
      for (int n = 0; n < t.size(); n++) {
        if (t.isLeaf(n)) {
          assertThat(java.util.Arrays.stream(t.distribution(n)).sum()).isCloseTo(1.0,
              org.assertj.core.data.Offset.offset(1e-9));
        } else {
          assertThat(t.left(n)).isGreaterThan(n);
          assertThat(t.right(n)).isGreaterThan(n);
          assertThat(t.feature(n)).isBetween(0, m.columns() - 1);
        }
      }
    }
  }

  @Test
  @DisplayName("a cancel check that throws stops training between trees")
  void cancellable() {
    AtomicInteger started = new AtomicInteger();
    var future = RandomForestTrainer.train(split.trainX(), split.trainY(), split.trainY().length,
        split.data().columns(), split.data().classLabels(), new ForestParams(50, 0, 0, 1, 256, 42), Runnable::run, 1,
        i -> {
          if (started.incrementAndGet() > 3) {
            throw new IllegalStateException("cancelled");
          }
        }, RandomForestTrainer.TreeDone.NONE);
    assertThat(future).isCompletedExceptionally();
    assertThat(started.get()).isEqualTo(4);
  }

  @Test
  @DisplayName("invalid parameters are refused with the parameter named")
  void validation() {
    assertThatThrownBy(() -> new ForestParams(0, 0, 0, 1, 256, 1)).hasMessageContaining("trees");
    assertThatThrownBy(() -> new ForestParams(10, -1, 0, 1, 256, 1)).hasMessageContaining("maxDepth");
    assertThatThrownBy(() -> new ForestParams(10, 0, -2, 1, 256, 1)).hasMessageContaining("mtry");
    assertThatThrownBy(() -> new ForestParams(10, 0, 0, 0, 256, 1)).hasMessageContaining("nodeSize");
    assertThatThrownBy(() -> new ForestParams(10, 0, 0, 1, 1, 1)).hasMessageContaining("maxBins");
    assertThat(new ForestParams(10, 0, 0, 1, 256, 1).effectiveMtry(54)).isEqualTo(7);
    assertThat(new ForestParams(10, 0, 100, 1, 256, 1).effectiveMtry(54)).isEqualTo(54);
  }
}
