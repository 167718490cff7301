package io.mlserve.recommend.algo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits index ranges into chunks and runs them on an executor (the {@code recommend} worker pool in the service,
 * a thread pool in the CLI), waiting for all. The caller must not be a thread of that executor.
 */
public final class Parallel {
  /** Work over {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  private final Executor executor;
  private final int threads;

  public Parallel(Executor executor, int threads) {
    this.executor = executor;
    this.threads = Math.max(1, threads);
  }

  public static Parallel sequential() {
    return new Parallel(Runnable::run, 1);
  }

  public int threads() {
    return threads;
  }

  /**
   * Runs {@code task} over {@code [0, n)} in chunks of {@code chunk}: {@code threads} lanes each take the next
   * chunk until none is left (load balance over uneven rows); one thread runs the chunks in order in the caller.
   */
  public void forRange(int n, int chunk, RangeTask task) {
    if (n <= 0) {
      return;
    }
    int chunks = (n + chunk - 1) / chunk;
    int lanes = Math.min(threads, chunks);
    AtomicInteger next = new AtomicInteger();
    Runnable lane = () -> {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
        task.run(c * chunk, Math.min(n, (c + 1) * chunk));
      }
    };
    if (lanes == 1) {
      lane.run();
      return;
    }
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int l = 0; l < lanes; l++) {
      parts.add(CompletableFuture.runAsync(lane, executor));
    }
    try {
      CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** The same executor with fewer lanes (at most this one's). */
  public Parallel limit(int maxThreads) {
    return new Parallel(executor, Math.max(1, Math.min(threads, maxThreads)));
  }

  /** A chunk size giving about {@code perThread} chunks per thread, for load balance over uneven rows. */
  public int chunkFor(int n, int perThread) {
    return Math.max(1, (n + threads * perThread - 1) / (threads * perThread));
  }
}
