package io.mlserve.app;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;

import java.util.function.Supplier;

/** A verticle a role deploys: its name (for logs, /version and tests), a factory and its deployment options. */
public record VerticleSpec(String name, Supplier<? extends Deployable> factory, DeploymentOptions options) {
  public static VerticleSpec of(String name, Supplier<? extends Deployable> factory) {
    return new VerticleSpec(name, factory, new DeploymentOptions());
  }
}
