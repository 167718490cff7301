package io.mlserve.feed;

import java.util.function.DoubleSupplier;

/**
 * Fault injection for resilience tests of the batch feeder: a fraction of batch requests fails with a 500 and another
 * fraction stalls before answering (so the client times out). Off unless {@code feed.faults.*} is set.
 */
public final class FeedFaults {
  /** What to do with one batch request. */
  public enum Fault { NONE, ERROR, STALL }

  private final double errorRate;
  private final double stallRate;
  private final DoubleSupplier random;

  public FeedFaults(double errorRate, double stallRate, DoubleSupplier random) {
    if (errorRate < 0 || stallRate < 0 || errorRate + stallRate > 1) {
      throw new IllegalArgumentException("fault rates must be >= 0 and add up to at most 1");
    }
    this.errorRate = errorRate;
    this.stallRate = stallRate;
    this.random = random;
  }

  public Fault next() {
    if (errorRate == 0 && stallRate == 0) {
      return Fault.NONE;
    }
    double u = random.getAsDouble();
    if (u < errorRate) {
      return Fault.ERROR;
    }
    return u < errorRate + stallRate ? Fault.STALL : Fault.NONE;
  }
}
