package io.mlserve.cli;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.mlserve.bench.load.Scenarios;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code mlserve loadtest}: the k6 scenarios, built in (k6 cannot be installed everywhere). Prints req/s, latency
 * percentiles and errors by status; exits 1 when the scenario's thresholds are missed.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = "Run a load scenario (recs, inference, predict, mixed) against a running mlserve.")
public final class LoadtestCommand implements Callable<Integer> {
  @Option(names = "--scenario", required = true, description = "recs | inference | predict | mixed")
  String scenario;

  @Option(names = "--users", defaultValue = "32", description = "Concurrent virtual users (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--duration", defaultValue = "30s", description = "Measured duration, e.g. 30s, 2m (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--warmup", defaultValue = "5s", description = "Unrecorded warm-up (default ${DEFAULT-VALUE}).")
  String warmup;

  @Option(names = "--target", defaultValue = "http://127.0.0.1:8080", description = "Base URL (default ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--max-user", defaultValue = "943", description = "Highest user id for recommendation requests (default ${DEFAULT-VALUE}).")
  int maxUser;

  @Option(names = "--model", defaultValue = "modelo1", description = "Model the inference flow selects (default ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--think", defaultValue = "1-2.5", description = "Think time range in seconds for the inference flow (default ${DEFAULT-VALUE}).")
  String think;

  @Option(names = "--max-p99-ms", description = "Fail when p99 exceeds this (default: 20 for recs/mixed/predict, 50 for inference).")
  Double maxP99Ms;

  @Option(names = "--max-error-rate", defaultValue = "0.001", description = "Fail when the error rate exceeds this (default ${DEFAULT-VALUE}).")
  double maxErrorRate;

  @Option(names = "--event-loops", defaultValue = "1", description = "Client event loops (default ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'",
      description = "Header sent with every request, repeatable, e.g. --header 'Authorization: Bearer KEY'.")
  java.util.List<String> headerArgs = new java.util.ArrayList<>();

  @Option(names = "--auth-key", paramLabel = "KEY", defaultValue = "${env:MLSERVE_KEY}",
      description = "Sends 'Authorization: Bearer KEY' (default: the MLSERVE_KEY environment variable, if set). The "
          + "read key covers recs, predict and mixed; inference calls POST /select-model, which needs the admin key "
          + "when MLSERVE_ADMIN_KEY is set.")
  String authKey;

  /** The headers every request carries: --header values, then --auth-key as the Authorization header. */
  java.util.Map<String, String> headers() {
    java.util.Map<String, String> h = new java.util.LinkedHashMap<>();
    for (String arg : headerArgs) {
      try {
        var e = LoadGenerator.parseHeader(arg);
        h.put(e.getKey(), e.getValue());
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), e.getMessage());
      }
    }
    if (authKey != null && !authKey.isBlank()) {
      h.put("Authorization", "Bearer " + authKey.trim());
    }
    return h;
  }

  @Override
  public Integer call() throws Exception {
    URI uri = URI.create(target);
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    String[] range = think.split("-");
    double thinkMin = Double.parseDouble(range[0]);
    double thinkMax = range.length > 1 ? Double.parseDouble(range[1]) : thinkMin;
    LoadGenerator.UserScript script = switch (scenario) {
      case "recs" -> Scenarios.recommendations(maxUser);
      case "inference" -> Scenarios.inferenceFlow(model, thinkMin, thinkMax);
      case "predict" -> Scenarios.predictOnly();
      case "mixed" -> Scenarios.mixed(maxUser);
      default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "unknown scenario '" + scenario + "'; use recs, inference, predict or mixed");
    };
    java.util.Map<String, String> headers = headers();
    double p99Limit = maxP99Ms != null ? maxP99Ms : scenario.equals("inference") ? 50 : 20;
    System.out.printf("loadtest %s: %d users, %s after %s warm-up, against %s%s%n", scenario, users, duration, warmup,
        target, headers.isEmpty() ? "" : ", headers " + headers.keySet());
    LoadResult result;
    try (LoadGenerator gen = new LoadGenerator(eventLoops).headers(headers)) {
      result = gen.run(uri.getHost(), port, users, users, parseDuration(warmup), parseDuration(duration), script);
    }
    System.out.print(result.summary(scenario));
    double errorRate = result.requests() == 0 ? 1 : (double) result.errors() / result.requests();
    boolean ok = errorRate <= maxErrorRate && result.percentileMs(99) <= p99Limit;
    System.out.printf("thresholds: p99 %.2f ms (limit %.0f), error rate %.4f (limit %.4f): %s%n",
        result.percentileMs(99), p99Limit, errorRate, maxErrorRate, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
  }

  static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase();
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("m")) {
      return Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60));
    }
    if (t.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    }
    return Duration.ofSeconds(Long.parseLong(t));
  }
}
