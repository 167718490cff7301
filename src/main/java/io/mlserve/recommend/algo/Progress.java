package io.mlserve.recommend.algo;

/** How long computations report progress and learn they were cancelled, without depending on the job system. */
public interface Progress {
  Progress NONE = new Progress() {
  };

  default void phase(String name, long total) {
  }

  default void advance(long n) {
  }

  /** Throws (any unchecked exception) when the work should stop. */
  default void checkCancelled() {
  }
}
