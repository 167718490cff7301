package io.mlserve.feed;

import java.util.function.LongSupplier;

/**
 * When each feed batch is released: batch k (0-based) at start + k * interval, so batch 0 is available at once and
 * the last one after (batches - 1) intervals. {@link #restart()} starts the clock again. Thread-safe.
 */
public final class FeedSchedule {
  private final int batches;
  private final long intervalMs;
  private final LongSupplier clockMs;
  private volatile long startMs;
  private volatile int restarts;

  public FeedSchedule(int batches, long intervalMs, LongSupplier clockMs) {
    if (batches < 1) {
      throw new IllegalArgumentException("batches must be at least 1");
    }
    if (intervalMs < 0) {
      throw new IllegalArgumentException("intervalMs must not be negative");
    }
    this.batches = batches;
    this.intervalMs = intervalMs;
    this.clockMs = clockMs;
    this.startMs = clockMs.getAsLong();
  }

  public synchronized void restart() {
    startMs = clockMs.getAsLong();
    restarts++;
  }

  public int batches() {
    return batches;
  }

  public long intervalMs() {
    return intervalMs;
  }

  public long startMs() {
    return startMs;
  }

  public int restarts() {
    return restarts;
  }

  /** How many batches are released now (0..batches). */
  public int released() {
    if (intervalMs == 0) {
      return batches;
    }
    long elapsed = clockMs.getAsLong() - startMs;
    if (elapsed < 0) {
      return 0;
    }
    return (int) Math.min(batches, elapsed / intervalMs + 1);
  }

  public boolean isReleased(int batch) {
    return batch < released();
  }

  /** Epoch milliseconds at which {@code batch} is (or was) released. */
  public long releaseAtMs(int batch) {
    return startMs + batch * intervalMs;
  }

  /** Milliseconds until {@code batch} is released; 0 when it already is. */
  public long msUntil(int batch) {
    return Math.max(0, releaseAtMs(batch) - clockMs.getAsLong());
  }

  /** The first row (0-based, in source order) of {@code batch} when {@code rows} are split into the batches. */
  public static int firstRow(int batch, int batches, int rows) {
    return (int) ((long) batch * rows / batches);
  }

  /** Rows in {@code batch}: contiguous, sizes differ by at most one. */
  public static int rowCount(int batch, int batches, int rows) {
    return firstRow(batch + 1, batches, rows) - firstRow(batch, batches, rows);
  }
}
