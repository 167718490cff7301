package io.mlserve.cli;

import io.mlserve.config.MlserveConfig;
import io.vertx.core.spi.cluster.ClusterManager;

/** Builds the cluster manager for {@code --cluster} (configured in the scale-out issue). */
final class Clustering {
  private Clustering() {
  }

  static ClusterManager manager(MlserveConfig config) {
    throw new UnsupportedOperationException("--cluster is not available yet");
  }
}
