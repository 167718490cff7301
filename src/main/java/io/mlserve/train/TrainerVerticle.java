package io.mlserve.train;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Role {@code trainer}: random-forest training, experiments and model registry writes. */
public final class TrainerVerticle extends VerticleBase {
  private final Services services;

  public TrainerVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.TRAINER);
    return Future.succeededFuture();
  }
}
