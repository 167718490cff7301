package io.mlserve.recommend.bench;

import io.mlserve.recommend.algo.TopK;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RecsPrimitivesBenchTest {
  @Test
  @DisplayName("our top-k and cosine agree with the library ways on a small synthetic set (the bench's own check)")
  void bothWaysAgree() {
    int status = new CommandLine(new RecsPrimitivesBench()).execute("--users", "300", "--items", "200",
        "--ratings", "6000", "--k", "20", "--probe-users", "5", "--runs", "1");
    assertThat(status).isZero();
  }

  @Test
  @DisplayName("the PriorityQueue reference orders ties like TopK: score, then popularity, then lower index")
  void referenceTieOrder() {
    Random rnd = new Random(3);
    float[] scores = new float[500];
    float[] popularity = new float[500];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = rnd.nextInt(5);
      popularity[i] = rnd.nextInt(3);
    }
    scores[7] = Float.NaN;
    int[] reference = RecsPrimitivesBench.priorityQueueTopK(scores, 50, popularity);
    assertThat(reference).containsExactly(TopK.select(scores, 50, Float.NEGATIVE_INFINITY, popularity).items());
    assertThat(reference).doesNotContain(7);
  }
}
