package io.mlserve.recommend.batch;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingsBuffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentInteractionsTest {
  private static RatingsBuffer rows(int... userItemPairs) {
    RatingsBuffer b = new RatingsBuffer();
    for (int i = 0; i < userItemPairs.length; i += 2) {
      b.add(userItemPairs[i], userItemPairs[i + 1], 4f, 0);
    }
    return b;
  }

  @Test
  @DisplayName("recent interactions merge over the model's row; past the user cap they are forgotten and the "
      + "holder reports itself incomplete until a batch loaded after the overflow is in place")
  void boundedAndHonest() {
    InteractionMatrix model = InteractionMatrix.of(rows(1, 10, 1, 11, 2, 10, 2, 12, 3, 13));
    RecentInteractions recent = new RecentInteractions(2);
    assertThat(recent.add(rows(1, 12))).isTrue();
    assertThat(recent.history(model, 1).size()).as("items 10, 11 from the model plus 12 posted").isEqualTo(3);
    assertThat(recent.add(rows(2, 13))).isTrue();
    assertThat(recent.users()).isEqualTo(2);

    long beforeOverflow = System.nanoTime();
    assertThat(recent.add(rows(3, 10))).as("a third user exceeds the cap").isFalse();
    assertThat(recent.users()).isZero();
    assertThat(recent.complete()).isFalse();
    assertThat(recent.add(rows(1, 13))).as("incomplete: callers must read MongoDB").isFalse();
    assertThat(recent.users()).isZero();

    recent.dropOlderThan(beforeOverflow);
    assertThat(recent.complete()).as("that batch started loading before the overflow").isFalse();
    recent.dropOlderThan(System.nanoTime());
    assertThat(recent.complete()).isTrue();
    assertThat(recent.add(rows(1, 13))).isTrue();
    assertThat(recent.history(model, 1).size()).isEqualTo(3);
  }
}
