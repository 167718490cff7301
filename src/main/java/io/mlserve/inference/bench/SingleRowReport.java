package io.mlserve.inference.bench;

import io.mlserve.bench.Stats;

import java.util.List;
import java.util.function.ToDoubleFunction;

import static io.mlserve.inference.bench.BenchClients.fmt;

/** The summary of {@code bench predict}'s single-row rounds: medians, the on/off ratios and what bounds them. */
final class SingleRowReport {
  private SingleRowReport() {
  }

  /** One round; the CPU figures are per request, 0 where {@code /proc} is absent. */
  record Round(double rps, double p50, double p99, long errors, double serverMicros, double runnerMicros,
               double clientMicros) {
    Round(double rps, double p50, double p99, long errors) {
      this(rps, p50, p99, errors, 0, 0, 0);
    }

    /** Everything but the runners: HTTP, JSON, hand-offs, the JVM's own threads, and the load generator. */
    double restMicros() {
      return serverMicros - runnerMicros + clientMicros;
    }
  }

  /**
   * @param engine ONNX Runtime alone, microseconds per run of {@link EngineRunCost#BATCH_ROWS} rows, or null
   * @param cpu    whether the rounds read CPU times
   */
  static void print(List<Round> on, List<Round> off, double[] engine, boolean cpu) {
    double onRps = median(on, Round::rps);
    double offRps = median(off, Round::rps);
    System.out.println(fmt("single-row, median of %d rounds: batching on %.0f req/s, p99 %.2f ms; off %.0f req/s, "
            + "p99 %.2f ms (goals: p99 <= 10 ms, >= 10,000 req/s)", on.size(), onRps, median(on, Round::p99), offRps,
        median(off, Round::p99)));
    System.out.println(fmt("single-row ratio batching on/off: %.2fx req/s (goal >= 1.5x); per round: %s",
        onRps / offRps, ratios(on, off, Round::rps)));
    if (!cpu) {
      return;
    }
    double onCpu = median(on, Round::serverMicros);
    double offCpu = median(off, Round::serverMicros);
    System.out.println(fmt("server CPU per single-row request, median: batching on %.1f us, off %.1f us; off/on"
        + " %.2fx (the work batching saves, apart from the load generator sharing the cores); per round: %s",
        onCpu, offCpu, offCpu / onCpu, ratios(off, on, Round::serverMicros)));
    double onRunners = median(on, Round::runnerMicros);
    double offRunners = median(off, Round::runnerMicros);
    double onRest = median(on, Round::restMicros);
    double offRest = median(off, Round::restMicros);
    // what batching can change is the runners' share; the rest is paid per request either way
    // the Java client runs in this JVM and is not measured apart: then the rest is the server's alone
    String rest = on.stream().anyMatch(r -> r.clientMicros() > 0) ? "server and load generator" : "server";
    System.out.println(fmt("  runner threads %.1f us on, %.1f us off (off/on %.2fx); the rest of the %s %.1f us on,"
        + " %.1f us off: even with free runs, on/off CPU of the %s could reach at most %.2fx", onRunners, offRunners,
        offRunners / onRunners, rest, onRest, offRest, rest, (offRunners + offRest) / onRest));
    if (engine != null) {
      double saved = engine[0] - engine[1] / EngineRunCost.BATCH_ROWS[1];
      System.out.println(fmt("  of the unbatched %.1f us, ONNX Runtime's per-run overhead is %.1f us: if"
          + " batching %d rows per run saved nothing else, off/on CPU could reach only %.2fx", offCpu, saved,
          EngineRunCost.BATCH_ROWS[1], offCpu / (offCpu - saved)));
    }
  }

  private static double median(List<Round> rounds, ToDoubleFunction<Round> f) {
    return Stats.median(rounds.stream().mapToDouble(f).toArray());
  }

  private static String ratios(List<Round> a, List<Round> b, ToDoubleFunction<Round> f) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < a.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(fmt("%.2fx", f.applyAsDouble(a.get(i)) / f.applyAsDouble(b.get(i))));
    }
    return out.toString();
  }
}
