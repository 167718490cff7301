package io.mlserve.testing;

import io.mlserve.bench.JvmProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Separate mlserve processes started from the packaged jar (the {@code mlserve.jar} system property failsafe sets),
 * on loopback, sharing one MongoDB (embedded in the first process, on a fixed port) and Redis under one test
 * prefix. Closing the group kills every process it started.
 */
public final class ProcessGroup implements AutoCloseable {
  private final Path dir;
  private final int mongoPort = JvmProcess.freePort();
  private final String redisPrefix = "test-" + UUID.randomUUID() + ":";
  private final String clusterName = "it-" + UUID.randomUUID().toString().substring(0, 8);
  private final int clusterPort = 20000 + (int) (Math.random() * 20000);
  private final List<JvmProcess> processes = new ArrayList<>();
  private boolean mongoStarted;

  public ProcessGroup() throws IOException {
    this.dir = Files.createTempDirectory("mlserve-it");
  }

  public static List<String> jarCommand() {
    String jar = System.getProperty("mlserve.jar", "target/mlserve.jar");
    if (!Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(jar + " is missing: run the ITs with 'mvn verify' (after package)");
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar);
  }

  public Path dir() {
    return dir;
  }

  public String redisPrefix() {
    return redisPrefix;
  }

  /**
   * Starts a clustered process with these roles on {@code httpPort}. The first one hosts the embedded MongoDB the
   * others reach through {@code MONGO_URI}.
   */
  public JvmProcess start(String name, int httpPort, String roles, Map<String, String> extraEnv) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MLSERVE_HTTP_PORT", String.valueOf(httpPort));
    env.put("MLSERVE_HTTP_INSTANCES", "1");
    env.put("MLSERVE_DATA_DIR", dir.resolve(name).toString());
    env.put("MLSERVE_MODELS_DIR", dir.resolve("models").toString());
    env.put("MLSERVE_REDIS_PREFIX", redisPrefix);
    env.put("MLSERVE_CLUSTER_NAME", clusterName);
    env.put("MLSERVE_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("MLSERVE_CLUSTER_MEMBERS", "127.0.0.1");
    env.put("MLSERVE_CLUSTER_PORT_COUNT", "10");
    env.put("MLSERVE_LOG_LEVEL", "INFO");
    if (!mongoStarted) {
      env.put("MLSERVE_MONGO_EMBEDDED_BACKEND", "memory");
      env.put("MLSERVE_MONGO_EMBEDDED_PORT", String.valueOf(mongoPort));
      mongoStarted = true;
    } else {
      env.put("MONGO_URI", "mongodb://127.0.0.1:" + mongoPort);
    }
    env.putAll(extraEnv);
    JvmProcess.Builder b = JvmProcess.builder().command(jarCommand()).jvmArg("-Xmx384m")
        .log(dir.resolve(name + ".log")).args("--cluster", "--roles", roles);
    env.forEach(b::env);
    JvmProcess p = b.start();
    processes.add(p);
    return p;
  }

  @Override
  public void close() {
    processes.forEach(JvmProcess::close);
  }
}
