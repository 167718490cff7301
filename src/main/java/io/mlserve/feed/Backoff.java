package io.mlserve.feed;

import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with a cap and "equal jitter": attempt n waits between half and all of
 * min(cap, initial * 2^(n-1)), so retries of many clients spread out but never shrink to nothing.
 */
public final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private final DoubleSupplier random;

  public Backoff(long initialMs, long maxMs, DoubleSupplier random) {
    if (initialMs < 1 || maxMs < initialMs) {
      throw new IllegalArgumentException("need 1 <= initialMs <= maxMs, got " + initialMs + ", " + maxMs);
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** Delay before retry number {@code attempt} (1 = the first retry). */
  public long delayMs(int attempt) {
    long ceiling = initialMs;
    for (int i = 1; i < attempt && ceiling < maxMs; i++) {
      ceiling *= 2; // stops at the cap, so it cannot overflow
    }
    ceiling = Math.min(ceiling, maxMs);
    long half = ceiling / 2;
    return Math.min(ceiling, half + (long) (random.getAsDouble() * (ceiling - half + 1)));
  }
}
