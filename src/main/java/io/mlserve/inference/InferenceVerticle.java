package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Role {@code inference}: ONNX Runtime sessions, micro-batching and hot swap. */
public final class InferenceVerticle extends VerticleBase {
  private final Services services;

  public InferenceVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.INFERENCE);
    return Future.succeededFuture();
  }
}
