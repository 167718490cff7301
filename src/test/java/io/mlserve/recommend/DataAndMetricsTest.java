package io.mlserve.recommend;

import io.mlserve.recommend.algo.ScoredItems;
import io.mlserve.recommend.algo.TopK;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingRange;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.RatingsFile;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.recommend.eval.HoldoutSplit;
import io.mlserve.recommend.eval.RankingMetrics;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DataAndMetricsTest {
  @Test
  @DisplayName("TopK returns the k largest scores, best first, skipping NaN, ties by lower index")
  void topK() {
    Random r = new Random(1);
    float[] s = new float[500];
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextInt(50);
    }
    s[3] = Float.NaN;
    ScoredItems top = TopK.select(s, 25, Float.NEGATIVE_INFINITY, null);
    int[] expected = IntStream.range(0, s.length).filter(i -> !Float.isNaN(s[i])).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i))
        .limit(25).mapToInt(Integer::intValue).toArray();
    assertThat(top.items()).isEqualTo(expected);
  }

  @Test
  @DisplayName("a repeated (user, item) pair keeps the last rating; rows and columns agree")
  void matrix() {
    RatingsBuffer b = new RatingsBuffer();
    b.add(10, 5, 1, 0);
    b.add(3, 7, 2, 0);
    b.add(10, 5, 4, 0);
    b.add(10, 2, 3, 0);
    InteractionMatrix m = InteractionMatrix.of(b);
    assertThat(m.userCount()).isEqualTo(2);
    assertThat(m.itemCount()).isEqualTo(3);
    assertThat(m.nnz()).isEqualTo(3);
    int u = m.users().indexOf(10);
    var h = m.history(u);
    assertThat(Arrays.stream(h.items()).map(i -> m.items().idAt(i)).toArray()).containsExactly(2, 5);
    assertThat(h.ratings()).containsExactly(3f, 4f);
    assertThat(m.colLength(m.items().indexOf(5))).isEqualTo(1);
  }

  @Test
  @DisplayName("rating files: MovieLens tabs, CSV with header; a bad row names its line")
  void files(@TempDir Path dir) throws Exception {
    Path ml = dir.resolve("u.data");
    Files.writeString(ml, "1\t2\t3\t881250949\n2\t3\t5\t881250950\n");
    assertThat(RatingsFile.read(ml, RatingsFile.Format.MOVIELENS, RatingRange.defaults()).size()).isEqualTo(2);
    Path csv = dir.resolve("r.csv");
    Files.writeString(csv, "userId,itemId,rating\n1,2,4.5\n");
    assertThat(RatingsFile.read(csv, RatingsFile.Format.CSV, RatingRange.defaults()).rating(0)).isEqualTo(4.5f);
    Files.writeString(csv, "1,2,4\n1,x,4\n");
    assertThatThrownBy(() -> RatingsFile.read(csv, RatingsFile.Format.CSV, RatingRange.defaults()))
        .hasMessageContaining("line 2").hasMessageContaining("item id");
    Files.writeString(csv, "1,2,9\n");
    assertThatThrownBy(() -> RatingsFile.read(csv, RatingsFile.Format.CSV, RatingRange.defaults()))
        .hasMessageContaining("line 1").hasMessageContaining("outside");
  }

  @Test
  @DisplayName("synthetic ratings: exact count, unique pairs, skewed popularity, same seed same data")
  void synthetic() {
    RatingsBuffer a = SyntheticRatings.generate(200, 300, 8000, 5);
    RatingsBuffer b = SyntheticRatings.generate(200, 300, 8000, 5);
    assertThat(a.size()).isEqualTo(8000);
    assertThat(InteractionMatrix.of(a).nnz()).isEqualTo(8000);
    for (int i = 0; i < a.size(); i += 97) {
      assertThat(b.item(i)).isEqualTo(a.item(i));
    }
    InteractionMatrix m = InteractionMatrix.of(a);
    int[] counts = IntStream.range(0, m.itemCount()).map(m::colLength).sorted().toArray();
    int top10 = Arrays.stream(counts, counts.length - m.itemCount() / 10, counts.length).sum();
    assertThat((double) top10 / a.size()).as("share of the 10% most popular items").isGreaterThan(0.25);
  }

  @Test
  @DisplayName("hold-out: about 25% of each user's ratings, disjoint from training")
  void holdout() {
    RatingsBuffer r = SyntheticRatings.generate(100, 200, 4000, 9);
    HoldoutSplit s = HoldoutSplit.of(r, 0.25, 42);
    assertThat(s.train().size() + s.testCount()).isEqualTo(4000);
    assertThat((double) s.testCount() / 4000).isCloseTo(0.25, within(0.02));
    InteractionMatrix train = InteractionMatrix.of(s.train());
    for (int x = 0; x < s.testUsers().length; x++) {
      var h = train.history(train.users().indexOf(s.testUsers()[x]));
      for (int item : s.testItems(x)) {
        int idx = train.items().indexOf(item);
        assertThat(idx < 0 || !h.contains(idx)).isTrue();
      }
    }
  }

  @Test
  @DisplayName("precision, recall, NDCG and MAP at k on a hand-computed case")
  void metrics() {
    RankingMetrics m = new RankingMetrics(3);
    m.add(new int[] {1, 2, 3}, new int[] {1, 3, 9, 10});
    assertThat(m.precision()).isCloseTo(2.0 / 3, within(1e-9));
    assertThat(m.recall()).isCloseTo(0.5, within(1e-9));
    double dcg = 1 + 1 / (Math.log(4) / Math.log(2));
    double idcg = 1 + 1 / (Math.log(3) / Math.log(2)) + 1 / (Math.log(4) / Math.log(2));
    assertThat(m.ndcg()).isCloseTo(dcg / idcg, within(1e-9));
    assertThat(m.map()).isCloseTo((1 + 2.0 / 3) / 3, within(1e-9));
    assertThat(m.coverage(10)).isCloseTo(0.3, within(1e-9));
  }
}
