package io.mlserve.recommend;

import io.mlserve.Main;
import io.mlserve.testing.SharedData;
import io.mlserve.recommend.algo.Algo;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.algo.RecsParams;
import io.mlserve.recommend.data.RatingRange;
import io.mlserve.recommend.data.RatingsFile;
import io.mlserve.recommend.eval.Evaluator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-shot commands, run through {@code Main} like a user would, and the MovieLens 100K quality goal. */
class RecsCliTest {
  /** Runs the command line and returns {exit status, stdout}. */
  private static Object[] run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int status = Main.execute(args);
      return new Object[] {status, out.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(old);
    }
  }

  @Test
  @DisplayName("generate-ratings then import-ratings twice: the rerun inserts and updates nothing")
  void importIsIdempotent(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("r.data");
    assertThat(run("generate-ratings", "--users", "50", "--items", "60", "--ratings", "900", "--seed", "4",
        "--out", data.toString())[0]).isEqualTo(0);
    assertThat(Files.readAllLines(data)).hasSize(900);
    Path conf = dir.resolve("conf.json");
    Files.writeString(conf, new JsonObject().put("dataDir", dir.resolve("db").toString()).encode());
    Object[] first = run("import-ratings", "--format", "movielens", "--conf", conf.toString(), data.toString());
    assertThat(first[0]).isEqualTo(0);
    JsonObject a = summary(first);
    assertThat(a.getLong("read")).isEqualTo(900L);
    assertThat(a.getLong("inserted")).isEqualTo(900L);
    Object[] second = run("import-ratings", "--format", "movielens", "--conf", conf.toString(), data.toString());
    assertThat(second[0]).isEqualTo(0);
    JsonObject b = summary(second);
    assertThat(b.getLong("inserted")).isZero();
    assertThat(b.getLong("updated")).isZero();
    assertThat(b.getLong("unchanged")).isEqualTo(900L);
  }

  /** The JSON summary: the last stdout line that is a JSON object (a log line may share stdout under surefire). */
  private static JsonObject summary(Object[] result) {
    List<String> lines = ((String) result[1]).lines().filter(l -> l.startsWith("{")).toList();
    assertThat(lines).as("stdout: %s", result[1]).isNotEmpty();
    return new JsonObject(lines.get(lines.size() - 1));
  }

  @Test
  @DisplayName("import-ratings --format csv: a header row, then a changed rating is one update on rerun")
  void importCsv(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("r.csv");
    Files.writeString(data, "userId,itemId,rating\n1,2,4\n1,3,5\n2,2,3.5\n");
    Path conf = dir.resolve("conf.json");
    Files.writeString(conf, new JsonObject().put("dataDir", dir.resolve("db").toString()).encode());
    Object[] first = run("import-ratings", "--format", "csv", "--conf", conf.toString(), data.toString());
    assertThat(first[0]).isEqualTo(0);
    JsonObject a = summary(first);
    assertThat(a.getLong("read")).isEqualTo(3L);
    assertThat(a.getLong("inserted")).isEqualTo(3L);
    Files.writeString(data, "userId,itemId,rating\n1,2,4\n1,3,2\n2,2,3.5\n");
    JsonObject b = summary(run("import-ratings", "--format", "csv", "--conf", conf.toString(), data.toString()));
    assertThat(b.getLong("inserted")).isZero();
    assertThat(b.getLong("updated")).isEqualTo(1L);
    assertThat(b.getLong("unchanged")).isEqualTo(2L);
  }

  @Test
  @DisplayName("import-ratings rejects a bad file naming the line, exit status 2")
  void importRejectsBadFile(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("bad.csv");
    Files.writeString(data, "userId,itemId,rating\n1,2,4\n1,2,seven\n");
    Path conf = dir.resolve("conf.json");
    Files.writeString(conf, new JsonObject().put("dataDir", dir.resolve("db").toString()).encode());
    assertThat(run("import-ratings", "--format", "csv", "--conf", conf.toString(), data.toString())[0]).isEqualTo(2);
  }

  @Test
  @DisplayName("evaluate --json prints one object with the six figures for every algorithm and popularity")
  void evaluateJson(@TempDir Path dir) {
    Path data = dir.resolve("r.data");
    run("generate-ratings", "--users", "120", "--items", "150", "--ratings", "3000", "--out", data.toString());
    Object[] r = run("evaluate", "--data", data.toString(), "--holdout", "0.25", "--k", "10", "--seed", "42",
        "--json");
    assertThat(r[0]).isEqualTo(0);
    JsonObject json = summary(r);
    assertThat(json.fieldNames()).containsExactlyInAnyOrder("user", "item", "hybrid", "cluster", "popularity");
    for (String algo : json.fieldNames()) {
      JsonObject m = json.getJsonObject(algo);
      assertThat(m.fieldNames()).containsExactlyInAnyOrder("precision", "recall", "ndcg", "map", "coverage", "seconds");
      assertThat(m.getDouble("precision")).isBetween(0.0, 1.0);
    }
    assertThat(json.getJsonObject("hybrid").getDouble("precision"))
        .isGreaterThan(json.getJsonObject("popularity").getDouble("precision"));
  }

  @Test
  @DisplayName("MovieLens 100K (25% per-user hold-out, k=10): best precision >= 0.35 and NDCG >= 0.40; user, item, hybrid beat popularity")
  void movieLensQuality() throws Exception {
    Path file = SharedData.require(SharedData.MOVIELENS_100K);
    var ratings = RatingsFile.read(file, RatingsFile.Format.MOVIELENS, RatingRange.defaults());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      var report = Evaluator.run(ratings, 0.25, 10, 42, RecsParams.defaults(), new Parallel(pool, 2));
      var results = report.results();
      double bestP = results.values().stream().mapToDouble(Evaluator.Result::precision).max().orElse(0);
      double bestN = results.values().stream().mapToDouble(Evaluator.Result::ndcg).max().orElse(0);
      assertThat(bestP).isGreaterThanOrEqualTo(0.35);
      assertThat(bestN).isGreaterThanOrEqualTo(0.40);
      double pop = results.get(Algo.POPULARITY).precision();
      for (Algo a : List.of(Algo.USER, Algo.ITEM, Algo.HYBRID)) {
        assertThat(results.get(a).precision()).as(a.id()).isGreaterThan(pop);
      }
      assertThat(report.seenLeaks()).isZero();
    } finally {
      pool.shutdown();
    }
  }
}
