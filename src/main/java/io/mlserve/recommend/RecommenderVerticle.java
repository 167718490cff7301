package io.mlserve.recommend;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Role {@code recommender}: batch computation of recommendations (built in the recommendation issue). */
public final class RecommenderVerticle extends VerticleBase {
  private final Services services;

  public RecommenderVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.RECOMMENDER);
    return Future.succeededFuture();
  }
}
