package io.mlserve.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code mlserve bench soak}: the mixed scenario for ten minutes; flat memory and a stable tail, or exit 1. */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Mixed load (70 % recommendation GETs, 30 % predicts) for a long time: req/s, p99, RSS and heap "
        + "after GC per window; exit 1 when memory grows or the tail drifts.")
public final class SoakBench implements Callable<Integer> {
  @Option(names = "--seconds", defaultValue = "600", description = "Measured seconds (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--windows", defaultValue = "10", description = "Windows the run is cut into (default ${DEFAULT-VALUE}).")
  int windows;

  @Option(names = "--users", defaultValue = "32", description = "Closed-loop users (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--heap", defaultValue = "512m", description = "Service heap, -Xmx (default ${DEFAULT-VALUE}).")
  String heap;

  @Option(names = "--max-heap-growth-mb", defaultValue = "32", description = "Allowed heap-after-GC growth, first to last window (default ${DEFAULT-VALUE}).")
  double maxHeapGrowthMb;

  @Option(names = "--max-rss-growth-mb", defaultValue = "96", description = "Allowed RSS growth, first to last window (default ${DEFAULT-VALUE}).")
  double maxRssGrowthMb;

  @Option(names = "--max-p99-drift", defaultValue = "2.0", description = "Allowed ratio of the median p99, second half over first half (default ${DEFAULT-VALUE}).")
  double maxP99Drift;

  @Override
  public Integer call() throws Exception {
    if (windows < 2 || seconds < windows) {
      System.err.println("--windows must be at least 2 and --seconds at least --windows");
      return 2;
    }
    Soak.Report report = new Soak(System.err).run(new Soak.Settings(Duration.ofSeconds(seconds), windows, users,
        943, 1682, 100_000, heap));
    System.out.printf("soak: mixed scenario, %d users, %d s in %d windows, service -Xmx%s, load average %s%n",
        users, seconds, windows, heap, ReplicaBench.loadAverage());
    System.out.print(report.table());
    List<String> problems = report.problems(maxHeapGrowthMb, maxRssGrowthMb, maxP99Drift);
    System.out.println(problems.isEmpty() ? "verdict: PASS" : "verdict: FAIL: " + String.join("; ", problems));
    return problems.isEmpty() ? 0 : 1;
  }
}
