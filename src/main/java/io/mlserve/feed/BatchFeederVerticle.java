package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Role {@code feeder}: pulls released feed batches into MongoDB. */
public final class BatchFeederVerticle extends VerticleBase {
  private final Services services;

  public BatchFeederVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.FEEDER);
    return Future.succeededFuture();
  }
}
