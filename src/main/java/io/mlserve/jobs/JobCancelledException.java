package io.mlserve.jobs;

/** Thrown by work that noticed its job was cancelled; the job ends in state CANCELLED. */
public final class JobCancelledException extends RuntimeException {
  public JobCancelledException() {
    super("cancelled", null, false, false);
  }
}
