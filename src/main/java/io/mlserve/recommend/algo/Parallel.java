package io.mlserve.recommend.algo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

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

  public void forRange(int n, int chunk, RangeTask task) {
    if (n <= 0) {
      return;
    }
    if (threads == 1 || n <= chunk) {
      task.run(0, n);
      return;
    }
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int from = 0; from < n; from += chunk) {
      int f = from;
      int t = Math.min(n, from + chunk);
      parts.add(CompletableFuture.runAsync(() -> task.run(f, t), executor));
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

  /** A chunk size giving about {@code perThread} chunks per thread, for load balance over uneven rows. */
  public int chunkFor(int n, int perThread) {
    return Math.max(1, (n + threads * perThread - 1) / (threads * perThread));
  }
}
