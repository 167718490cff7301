package io.mlserve.bench.load;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.CovertypeSchema;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The load scenarios shared by the {@code loadtest} command and the benchmarks; the same flows as the k6 scripts in
 * {@code k6/}.
 */
public final class Scenarios {
  private static final String[] ALGOS = {"hybrid", "user", "item", "cluster"};
  private static final int ROW_POOL = 4096;

  private Scenarios() {
  }

  /** Random users' recommendations, every algorithm, 20 % through the earlier API's route. */
  public static LoadGenerator.UserScript recommendations(int maxUser) {
    return (s, i) -> recommendationRead(s, maxUser);
  }

  private static Future<LoadGenerator.Response> recommendationRead(LoadGenerator.Session s, int maxUser) {
    SplittableRandom r = s.random();
    int user = 1 + r.nextInt(maxUser);
    if (r.nextInt(5) == 0) {
      return s.get("GET /recomendaciones", "/recomendaciones?user_id=" + user);
    }
    return s.get("GET /recommendations", "/recommendations/" + user + "?algo=" + ALGOS[r.nextInt(ALGOS.length)]
        + "&k=10");
  }

  /** Pre-encoded single-row predict bodies: realistic rows from the synthetic generator, without the label. */
  public static List<Buffer> predictBodies(long seed) {
    CovertypeGenerator gen = new CovertypeGenerator(seed);
    return java.util.stream.IntStream.range(0, ROW_POOL).mapToObj(i -> {
      Map<String, Object> row = gen.next();
      row.remove(CovertypeSchema.LABEL);
      return new JsonObject(row).toBuffer();
    }).toList();
  }

  /** The earlier FastAPI client's flow: list models, select one, predict, with think time between steps. */
  public static LoadGenerator.UserScript inferenceFlow(String model, double thinkMinS, double thinkMaxS) {
    List<Buffer> bodies = predictBodies(11);
    Buffer select = new JsonObject().put("model_name", model).toBuffer();
    return (s, i) -> s.get("GET /models", "/models")
        .compose(r -> think(s, thinkMinS, thinkMaxS))
        .compose(v -> s.send("POST /select-model", HttpMethod.POST, "/select-model", select))
        .compose(r -> think(s, thinkMinS, thinkMaxS))
        .compose(v -> s.send("POST /predict", HttpMethod.POST, "/predict",
            bodies.get(s.random().nextInt(bodies.size()))))
        .compose(r -> think(s, thinkMinS, thinkMaxS));
  }

  /** Single-row predictions back to back (throughput). */
  public static LoadGenerator.UserScript predictOnly() {
    List<Buffer> bodies = predictBodies(12);
    return (s, i) -> s.send("POST /predict", HttpMethod.POST, "/predict",
        bodies.get(s.random().nextInt(bodies.size())));
  }

  /** 70 % recommendation reads, 30 % single-row predictions, no think time. */
  public static LoadGenerator.UserScript mixed(int maxUser) {
    List<Buffer> bodies = predictBodies(13);
    return (s, i) -> s.random().nextInt(10) < 7
        ? recommendationRead(s, maxUser)
        : s.send("POST /predict", HttpMethod.POST, "/predict", bodies.get(s.random().nextInt(bodies.size())));
  }

  private static Future<Void> think(LoadGenerator.Session s, double minS, double maxS) {
    double seconds = minS + s.random().nextDouble() * Math.max(0, maxS - minS);
    return s.sleep(Math.round(seconds * 1000));
  }
}
