package io.mlserve.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options of the long-running service, shared by {@code mlserve} with no command and {@code mlserve serve}. */
public final class ServeOptions {
  @Option(names = "--roles", paramLabel = "ROLES",
      description = "Comma-separated roles to run: api, recommender, feeder, trainer, inference (default: all).")
  String roles;

  @Option(names = "--conf", paramLabel = "FILE", description = "JSON config file (defaults < file < environment).")
  Path conf;

  @Option(names = "--cluster", description = "Join the clustered event bus (Hazelcast) so roles can run in separate processes.")
  boolean cluster;
}
