package io.mlserve.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.EnumSet;

/**
 * One Prometheus registry per process, shared by Vert.x's own metrics (HTTP server, event bus, pools, JVM) and ours
 * ({@code mlserve_*}). Latency timers publish histogram buckets so p99 can be computed in Prometheus across replicas.
 */
public final class MetricsSetup {
  private MetricsSetup() {
  }

  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        String name = id.getName();
        if (id.getType() == Meter.Type.TIMER
            && (name.startsWith("vertx.http.server.response.time") || name.startsWith("mlserve."))) {
          return DistributionStatisticConfig.builder()
              .percentilesHistogram(true)
              .minimumExpectedValue((double) Duration.ofMillis(1).toNanos() / 4)
              .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
              .build()
              .merge(config);
        }
        return config;
      }
    });
    return registry;
  }

  public static MicrometerMetricsOptions vertxOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.EB_ADDRESS,
            Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME));
  }
}
