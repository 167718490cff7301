package io.mlserve.inference;

import ai.onnxruntime.OrtEnvironment;
import io.mlserve.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunTensorsTest {
  private static final int WIDTH = 54;

  @AfterEach
  void freeThisThreadsTensors() {
    RunTensors.closeOfThread();
  }

  @Test
  @DisplayName("reused, pinned tensors answer exactly as fresh ones, run after run, and after the session that "
      + "first used them has closed")
  void sameAnswers() throws Exception {
    ModelLoader loader = new ModelLoader(new ModelLoader.SessionSettings(1, 1, "all"));
    LoadedModel a = loader.load(TestModels.randomForest("a", 3, 7).onnx(),
        TestModels.randomForest("a", 3, 7).metadata().withVersion(1));
    LoadedModel b = loader.load(TestModels.randomForest("b", 11, 9).onnx(),
        TestModels.randomForest("b", 11, 9).metadata().withVersion(1));
    Random random = new Random(5);
    int[] sizes = {1, 2, 7, 1, 64, 7, RunTensors.MAX_ROWS + 1, 300, 1};
    for (int rows : sizes) {
      for (LoadedModel m : new LoadedModel[] {a, b}) {
        // fresh data each time: a reused input tensor must see what was written into its buffer this run
        float[] features = rows(random, rows);
        LoadedModel.Output fresh = m.runAllocating(features, rows);
        LoadedModel.Output served = m.run(features, rows);
        assertThat(served.labels()).as("%s, %d rows", m, rows).containsExactly(fresh.labels());
        assertThat(served.probabilities()).as("%s, %d rows", m, rows).containsExactly(fresh.probabilities());
        if (rows <= RunTensors.MAX_ROWS) {
          LoadedModel.Output pinned = m.runPinned(features, rows);
          assertThat(pinned.probabilities()).containsExactly(fresh.probabilities());
        }
      }
    }
    assertThat(RunTensors.ofThread(OrtEnvironment.getEnvironment()).kept())
        .as("one entry per kept run size: 1, 2, 7, 64").isEqualTo(4);
    // the tensors belong to no session: a swap closes the old session and the next model still runs on them
    a.retire();
    assertThat(a.isClosed()).isTrue();
    float[] features = rows(random, 7);
    assertThat(b.run(features, 7).probabilities()).containsExactly(b.runAllocating(features, 7).probabilities());
    b.retire();
    assertThat(loader.openSessions()).isZero();
  }

  @Test
  @DisplayName("a thread keeps a bounded set of run shapes, refuses sizes it does not keep, and frees them on close")
  void boundedAndFreed() throws Exception {
    RunTensors t = RunTensors.ofThread(OrtEnvironment.getEnvironment());
    assertThat(RunTensors.ofThread(OrtEnvironment.getEnvironment())).isSameAs(t);
    for (int width = 1; width <= 5; width++) {
      for (int rows = 1; rows <= RunTensors.MAX_ROWS; rows++) {
        t.shape(rows, width, 7);
        assertThat(t.kept()).isBetween(1, 4 * RunTensors.MAX_ROWS);
      }
    }
    RunTensors.Shape s = t.shape(3, WIDTH, 7);
    assertThat(s.input.capacity()).isEqualTo(3 * WIDTH);
    assertThat(s.probabilities.capacity()).isEqualTo(3 * 7);
    assertThat(t.shape(3, WIDTH, 7)).isSameAs(s);
    assertThatThrownBy(() -> t.shape(0, WIDTH, 7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.shape(RunTensors.MAX_ROWS + 1, WIDTH, 7))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not " + (RunTensors.MAX_ROWS + 1));
    RunTensors.closeOfThread();
    assertThat(t.kept()).isZero();
    assertThat(RunTensors.ofThread(OrtEnvironment.getEnvironment())).isNotSameAs(t);
  }

  private static float[] rows(Random random, int rows) {
    float[] f = new float[rows * WIDTH];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < 10; c++) { // the numeric columns; the one-hot ones stay 0 or get one 1 each
        f[r * WIDTH + c] = random.nextFloat() * 4000;
      }
      f[r * WIDTH + 10 + random.nextInt(4)] = 1;
      f[r * WIDTH + 14 + random.nextInt(WIDTH - 14)] = 1;
    }
    return f;
  }
}
