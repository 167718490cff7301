package io.mlserve.recommend;

import io.mlserve.recommend.algo.Algo;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.algo.Progress;
import io.mlserve.recommend.algo.RecsModel;
import io.mlserve.recommend.algo.RecsParams;
import io.mlserve.recommend.algo.ScoredItems;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.SyntheticRatings;
import io.mlserve.recommend.data.UserHistory;
import io.mlserve.recommend.eval.Evaluator;
import io.mlserve.recommend.eval.HoldoutSplit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** Each algorithm on planted structure: taste groups in synthetic data. */
class AlgorithmsTest {
  private static final int USERS = 300;
  private static final int ITEMS = 400;
  private static final int GROUPS = SyntheticRatings.defaultGroups(ITEMS);
  private static RatingsBuffer ratings;
  private static HoldoutSplit split;
  private static Evaluator.Report report;

  @BeforeAll
  static void fit() {
    ratings = SyntheticRatings.generate(USERS, ITEMS, 12_000, 3);
    split = HoldoutSplit.of(ratings, 0.25, 42);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      report = Evaluator.run(split, 10, RecsParams.defaults(), new Parallel(pool, 2), Evaluator.EVALUATED);
    } finally {
      pool.shutdown();
    }
  }

  /** Expected precision@10 of a random ranking of the unseen items. */
  private static double randomPrecision() {
    double sum = 0;
    InteractionMatrix train = InteractionMatrix.of(split.train());
    for (int x = 0; x < split.testUsers().length; x++) {
      int unseen = train.itemCount() - train.rowLength(train.users().indexOf(split.testUsers()[x]));
      sum += (double) split.testItems(x).length / unseen;
    }
    return sum / split.testUsers().length;
  }

  @Test
  @DisplayName("user, item, hybrid and cluster recover held-out items at least 3x better than random, and beat popularity")
  void recoversHeldOut() {
    double random = randomPrecision();
    double pop = report.results().get(Algo.POPULARITY).precision();
    for (Algo a : List.of(Algo.USER, Algo.ITEM, Algo.HYBRID, Algo.CLUSTER)) {
      Evaluator.Result r = report.results().get(a);
      assertThat(r.precision()).as(a + " precision vs random " + random).isGreaterThan(3 * random);
      assertThat(r.ndcg()).as(a + " ndcg").isGreaterThan(3 * random);
      assertThat(r.precision()).as(a + " vs popularity " + pop).isGreaterThan(pop);
    }
  }

  @Test
  @DisplayName("recommendations stay in the user's taste group (random would be 1/groups)")
  void followsTaste() {
    InteractionMatrix m = InteractionMatrix.of(ratings);
    RecsModel model = RecsModel.fit(m, RecsParams.defaults(), Parallel.sequential(), Progress.NONE);
    RecsModel.Workspace ws = model.newWorkspace();
    for (Algo a : List.of(Algo.USER, Algo.ITEM, Algo.HYBRID, Algo.CLUSTER)) {
      int inGroup = 0;
      int total = 0;
      for (int u = 0; u < m.userCount(); u++) {
        int userId = m.users().idAt(u);
        ScoredItems top = model.recommend(a, m.history(u), 10, ws);
        for (int i : top.items()) {
          total++;
          if (SyntheticRatings.groupOfItem(m.items().idAt(i), GROUPS) == SyntheticRatings.groupOfUser(userId, GROUPS)) {
            inGroup++;
          }
        }
      }
      assertThat((double) inGroup / total).as(a + " in-group share").isGreaterThan(0.6);
    }
  }

  @Test
  @DisplayName("no algorithm ever recommends an item the user already has")
  void neverSeen() {
    assertThat(report.seenLeaks()).isZero();
    InteractionMatrix m = InteractionMatrix.of(ratings);
    RecsModel model = RecsModel.fit(m, RecsParams.defaults(), Parallel.sequential(), Progress.NONE);
    RecsModel.Workspace ws = model.newWorkspace();
    for (int u = 0; u < m.userCount(); u++) {
      UserHistory h = m.history(u);
      for (ScoredItems s : model.recommendAll(h, 100, ws).values()) {
        assertThat(s.size()).isEqualTo(100);
        for (int i : s.items()) {
          assertThat(h.contains(i)).isFalse();
        }
      }
    }
  }

  @Test
  @DisplayName("the same data and seed give the same recommendations, sequential or parallel")
  void deterministic() {
    InteractionMatrix m = InteractionMatrix.of(ratings);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      RecsModel a = RecsModel.fit(m, RecsParams.defaults(), Parallel.sequential(), Progress.NONE);
      RecsModel b = RecsModel.fit(InteractionMatrix.of(ratings), RecsParams.defaults(), new Parallel(pool, 2),
          Progress.NONE);
      RecsModel.Workspace wa = a.newWorkspace();
      RecsModel.Workspace wb = b.newWorkspace();
      for (int u = 0; u < m.userCount(); u += 7) {
        for (Algo algo : Algo.values()) {
          assertThat(b.recommend(algo, m.history(u), 20, wb).items())
              .isEqualTo(a.recommend(algo, m.history(u), 20, wa).items());
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  @DisplayName("recommendAll equals each algorithm computed alone")
  void recommendAllConsistent() {
    InteractionMatrix m = InteractionMatrix.of(ratings);
    RecsModel model = RecsModel.fit(m, RecsParams.defaults(), Parallel.sequential(), Progress.NONE);
    RecsModel.Workspace ws = model.newWorkspace();
    for (int u = 0; u < m.userCount(); u += 11) {
      var all = model.recommendAll(m.history(u), 10, ws);
      for (Algo a : Algo.SERVED) {
        assertThat(all.get(a).items()).as(a.id()).isEqualTo(model.recommend(a, m.history(u), 10, ws).items());
      }
    }
  }

  @Test
  @DisplayName("users with fewer than minInteractions get popularity, minus what they have")
  void coldUsers() {
    InteractionMatrix m = InteractionMatrix.of(ratings);
    RecsModel model = RecsModel.fit(m, RecsParams.defaults(), Parallel.sequential(), Progress.NONE);
    int top = model.recommend(Algo.POPULARITY, new UserHistory(-1, new int[0], new float[0]), 1,
        model.newWorkspace()).items()[0];
    UserHistory cold = new UserHistory(-1, new int[] {top}, new float[] {4});
    ScoredItems s = model.recommend(Algo.HYBRID, cold, 5, model.newWorkspace());
    assertThat(s.items()).doesNotContain(top).hasSize(5);
    assertThat(model.isCold(cold)).isTrue();
  }
}
