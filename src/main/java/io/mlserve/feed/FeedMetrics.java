package io.mlserve.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Batch-feeder meters: {@code mlserve_feed_rows_total{outcome="new"|"existing"}}, {@code mlserve_feed_quarantined_total},
 * {@code mlserve_feed_batches_total} and {@code mlserve_feed_retries_total}.
 */
final class FeedMetrics {
  private final Counter newRows;
  private final Counter existingRows;
  private final Counter quarantined;
  private final Counter batches;
  private final Counter retries;

  FeedMetrics(MeterRegistry registry) {
    newRows = Counter.builder("mlserve.feed.rows").description("Feed rows stored by the batch feeder, by outcome")
        .tag("outcome", "new").register(registry);
    existingRows = Counter.builder("mlserve.feed.rows").description("Feed rows stored by the batch feeder, by outcome")
        .tag("outcome", "existing").register(registry);
    quarantined = Counter.builder("mlserve.feed.quarantined").description("Invalid feed rows sent to quarantine")
        .register(registry);
    batches = Counter.builder("mlserve.feed.batches").description("Feed batches loaded").register(registry);
    retries = Counter.builder("mlserve.feed.retries").description("Feed requests or writes retried after an error")
        .register(registry);
  }

  void batch(CovertypeWriter.Counts c) {
    newRows.increment(c.inserted());
    existingRows.increment(c.existing());
    quarantined.increment(c.quarantined());
    batches.increment();
  }

  void retry() {
    retries.increment();
  }
}
