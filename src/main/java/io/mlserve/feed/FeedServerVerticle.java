package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Role {@code feeder}: the Covertype data feed served over HTTP in batches. */
public final class FeedServerVerticle extends VerticleBase {
  private final Services services;

  public FeedServerVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.FEEDER);
    return Future.succeededFuture();
  }
}
