package io.mlserve.recommend;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.recommend.algo.Algo;
import io.mlserve.recommend.batch.RecsEngine;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.serving.RecsKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Role {@code recommender}: answers {@code recs.compute} (batch job for every user) and {@code recs.user.refresh}
 * (recompute some users after new interactions). The work itself is in {@link RecsEngine}.
 */
public final class RecommenderVerticle extends VerticleBase {
  private static final int MAX_REFRESH_USERS = 10_000;
  private final Services services;
  private RecsEngine engine;

  public RecommenderVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    engine = new RecsEngine(vertx, services);
    Bus.consume(vertx, RecsKeys.COMPUTE, body -> Future.succeededFuture(engine.startCompute(algos(body),
        body.getInteger("parallelism", services.config().recs().workerPoolSize()))));
    Bus.consume(vertx, RecsKeys.USER_REFRESH, body -> engine.refreshUsers(userIds(body), posted(body)));
    RolePresence.announce(vertx, Role.RECOMMENDER);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (engine != null) {
      engine.cancelRunning();
      engine.close();
    }
    return Future.succeededFuture();
  }

  private static Set<Algo> algos(JsonObject body) {
    String a = body.getString("algo", "all");
    if ("all".equals(a)) {
      return EnumSet.copyOf(Algo.SERVED);
    }
    Algo algo = Algo.parse(a);
    if (algo == null || !Algo.SERVED.contains(algo)) {
      throw ApiError.unprocessable("algo", "algo must be all or one of " + String.join(", ", Algo.servedIds()));
    }
    return EnumSet.of(algo);
  }

  /** The interactions carried by a refresh request as [[userId, itemId, rating], ...], or null. */
  private static RatingsBuffer posted(JsonObject body) {
    JsonArray rows = body.getJsonArray("interactions");
    if (rows == null) {
      return null;
    }
    RatingsBuffer out = new RatingsBuffer(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonArray r = rows.getJsonArray(i);
      out.add(r.getInteger(0), r.getInteger(1), r.getNumber(2).floatValue(), 0);
    }
    return out;
  }

  private static List<Integer> userIds(JsonObject body) {
    JsonArray ids = body.getJsonArray("userIds");
    if (ids == null && body.getValue("userId") != null) {
      ids = new JsonArray().add(body.getValue("userId"));
    }
    if (ids == null || ids.isEmpty() || ids.size() > MAX_REFRESH_USERS) {
      throw ApiError.badRequest("userIds", "userIds must list 1 to " + MAX_REFRESH_USERS + " user ids");
    }
    Set<Integer> out = new LinkedHashSet<>();
    for (Object o : ids) {
      if (!(o instanceof Number n) || n.longValue() < 1 || n.longValue() > Integer.MAX_VALUE) {
        throw ApiError.badRequest("userIds", "user ids are positive integers, got " + o);
      }
      out.add(n.intValue());
    }
    return new ArrayList<>(out);
  }
}
