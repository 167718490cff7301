package io.mlserve.train.forest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Trains a random forest: bins the columns once, then grows the trees, in parallel when given an executor. Trees are
 * grown in chunks (one per worker) so each worker reuses its scratch buffers; tree {@code i} depends only on the seed
 * and {@code i}, so the forest is the same whatever the parallelism.
 */
public final class RandomForestTrainer {
  /** Called before each tree; throw to cancel (e.g. {@code job::checkCancelled}). */
  public interface Progress {
    void beforeTree(int index);

    Progress NONE = i -> { };
  }

  /** Called after each tree (from the worker that grew it) with how many trees are finished; throw to stop. */
  public interface TreeDone {
    void done(int finished, DecisionTree tree);

    TreeDone NONE = (n, t) -> { };
  }

  private RandomForestTrainer() {
  }

  /** Trains on the calling thread. */
  public static ForestModel train(float[] x, int[] labels, int rows, int columns, long[] classLabels,
                                  ForestParams params) {
    return train(x, labels, rows, columns, classLabels, params, Runnable::run, 1, Progress.NONE, TreeDone.NONE)
        .join();
  }

  /**
   * Trains with up to {@code parallelism} tree chunks submitted to {@code executor}; never blocks a thread of the
   * executor waiting for another, so it is safe on a bounded pool shared with other work.
   *
   * @param labels    class index per row (0 .. classLabels.length-1)
   * @param treeDone  called after each tree with the number of trees finished so far
   */
  public static CompletableFuture<ForestModel> train(float[] x, int[] labels, int rows, int columns,
                                                     long[] classLabels, ForestParams params, Executor executor,
                                                     int parallelism, Progress progress, TreeDone treeDone) {
    if (rows < 2) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("a forest needs at least 2 rows, got "
          + rows));
    }
    return CompletableFuture.supplyAsync(() -> BinnedColumns.of(x, rows, columns, params.maxBins()), executor)
        .thenCompose(binned -> {
          DecisionTree[] trees = new DecisionTree[params.trees()];
          AtomicInteger next = new AtomicInteger();
          AtomicInteger done = new AtomicInteger();
          java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
          List<CompletableFuture<Void>> workers = new ArrayList<>();
          int chunks = Math.max(1, Math.min(parallelism, params.trees()));
          for (int w = 0; w < chunks; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
              TreeGrower grower = new TreeGrower(binned, labels, classLabels.length, params);
              try {
                for (int i = next.getAndIncrement(); i < trees.length && !failed.get(); i = next.getAndIncrement()) {
                  progress.beforeTree(i);
                  trees[i] = grower.grow(i);
                  treeDone.done(done.incrementAndGet(), trees[i]);
                }
              } catch (RuntimeException | Error e) {
                failed.set(true); // the other workers stop at their next tree
                throw e;
              }
            }, executor));
          }
          return CompletableFuture.allOf(workers.toArray(new CompletableFuture[0]))
              .thenApply(v -> new ForestModel(List.of(trees), columns, classLabels));
        });
  }
}
