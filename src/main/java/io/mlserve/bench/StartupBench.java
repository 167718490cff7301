package io.mlserve.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Start-up and footprint of the whole service: time from JVM start to {@code /health/ready = 200} (median of N
 * starts), resident memory idle and after a burst of {@code GET /health/live}.
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
    description = "Time to ready (median of N starts) and RSS idle / after N GET /health/live.")
public final class StartupBench implements Callable<Integer> {
  @Option(names = "--runs", defaultValue = "5", description = "Number of starts (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--requests", defaultValue = "10000", description = "GET /health/live after start (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--jvm-args", defaultValue = "", description = "Extra JVM options for the measured process, space-separated.")
  String jvmArgs;

  @Option(names = "--cds-archive", defaultValue = "target/mlserve.jsa",
      description = "Class-data archive made by the build; when it exists, every start is also measured with it,"
          + " interleaved, and the ratio printed (default ${DEFAULT-VALUE}; 'none' to skip).")
  String cdsArchive;

  @Override
  public Integer call() throws Exception {
    Path archive = Path.of(cdsArchive);
    boolean withCds = !cdsArchive.equals("none") && Files.isRegularFile(archive);
    String cdsArgs = "-XX:SharedArchiveFile=" + archive + " -Xlog:cds=error";
    Runs plain = new Runs("plain java -jar");
    Runs cds = new Runs("documented launch: java -XX:SharedArchiveFile=" + archive + " "
        + String.join(" ", JvmProcess.SERVICE_JVM_OPTIONS) + " -jar");
    // interleaved, so that a noisy neighbour slows both ways alike
    for (int i = 0; i < runs; i++) {
      if (!once(plain, "plain", i, "", true) || withCds && !once(cds, "documented", i, cdsArgs, false)) {
        return 1;
      }
    }
    plain.print();
    if (!withCds) {
      System.out.println("no class-data archive at " + archive + " (mvn package makes it): CDS not measured");
      return 0;
    }
    cds.print();
    System.out.printf(Locale.ROOT, "ratio plain/documented: ready %.2fx, idle RSS %.2fx%n",
        Stats.median(plain.readyMs) / Stats.median(cds.readyMs), Stats.median(plain.idleRss) / Stats.median(cds.idleRss));
    return 0;
  }

  /** Start times and memory of the starts made one way. */
  private final class Runs {
    final String how;
    final double[] readyMs = new double[runs];
    final double[] idleRss = new double[runs];
    final double[] busyRss = new double[runs];

    Runs(String how) {
      this.how = how;
    }

    void print() {
      System.out.printf(Locale.ROOT, "%s, median of %d: ready %.0f ms (goal <= 3000), RSS idle %.0f MB (goal <= 300),"
              + " RSS after %d requests %.0f MB%n",
          how, runs, Stats.median(readyMs), Stats.median(idleRss), requests, Stats.median(busyRss));
    }
  }

  /** Start i: false when the process does not become ready (its log is printed). */
  private boolean once(Runs into, String label, int i, String extraJvmArgs, boolean plainJvm) throws Exception {
    int port = JvmProcess.freePort();
    Path dataDir = Files.createTempDirectory("mlserve-bench");
    JvmProcess.Builder b = JvmProcess.builder()
        .env("MLSERVE_HTTP_PORT", String.valueOf(port))
        .env("MLSERVE_DATA_DIR", dataDir.toString())
        .env("MLSERVE_REDIS_PREFIX", "bench-" + UUID.randomUUID() + ":")
        .env("MLSERVE_LOG_LEVEL", "WARN");
    if (plainJvm) {
      b.plainJvm();
    }
    b.jvmArgs(jvmArgs + " " + extraJvmArgs);
    long t0 = System.nanoTime();
    try (JvmProcess p = b.start()) {
      long waited = p.awaitHttp200("http://127.0.0.1:" + port + "/health/ready", 60_000);
      if (waited < 0) {
        System.err.println("process did not become ready; its log:\n" + p.logText());
        return false;
      }
      into.readyMs[i] = (System.nanoTime() - t0) / 1e6;
      Thread.sleep(2000);
      into.idleRss[i] = p.rssKb() / 1024.0;
      hammer(port, requests);
      into.busyRss[i] = p.rssKb() / 1024.0;
      p.sigterm();
      p.waitFor(20_000);
    }
    System.out.printf(Locale.ROOT, "%s run %d: ready %.0f ms, RSS idle %.0f MB, after %d GET /health/live %.0f MB%n",
        label, i + 1, into.readyMs[i], into.idleRss[i], requests, into.busyRss[i]);
    return true;
  }

  private static void hammer(int port, int total) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(16));
      AtomicInteger next = new AtomicInteger();
      List<Future<Void>> lanes = new ArrayList<>();
      for (int lane = 0; lane < 16; lane++) {
        lanes.add(lane(client, port, next, total));
      }
      Future.all(lanes).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } finally {
      vertx.close();
    }
  }

  private static Future<Void> lane(WebClient client, int port, AtomicInteger next, int total) {
    if (next.getAndIncrement() >= total) {
      return Future.succeededFuture();
    }
    return client.get(port, "127.0.0.1", "/health/live").send()
        .compose(r -> lane(client, port, next, total));
  }
}
