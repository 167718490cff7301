package io.mlserve.reliability;

import io.mlserve.bench.Soak;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak scaled down for CI: 60 s of the mixed scenario against the service in its own JVM. The full ten minutes is
 * {@code mlserve bench soak}; both judge with {@link Soak.Report#problems}.
 */
class SoakTest {
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  @DisplayName("60 s of mixed load: no failed request, heap after GC and RSS flat, p99 stable")
  void mixedLoadStaysFlat() throws Exception {
    Soak.Report report = new Soak(System.out).run(new Soak.Settings(Duration.ofSeconds(60), 6, 16,
        300, 500, 20_000, "384m"));
    System.out.print(report.table());
    assertThat(report.windows()).hasSize(6);
    assertThat(report.requests()).as("requests served").isGreaterThan(1_000);
    // Limits leave room for a shared 2-core machine (the tail moves with other builds) but not for a leak: the
    // near cache and every other map are capped, so after the first window nothing should keep growing.
    assertThat(report.problems(24, 96, 3.0)).as(report.table()).isEmpty();
  }
}
