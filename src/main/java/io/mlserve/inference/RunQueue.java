package io.mlserve.inference;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * The queue the runner threads take their runs from, and the rules that shape batches.
 *
 * <p>With batching off every item is a run of its own. With batching on, a runner takes the oldest item and the
 * following ones while they fit in {@code maxBatchRows}, waiting for more until the oldest has waited
 * {@code maxWait} (0: no deliberate wait; rows that queued while the runners were busy are what gets batched).
 *
 * <p>At most one <em>partial</em> run (fewer rows than {@code maxBatchRows}) is in flight while fewer than
 * {@code maxBatchRows} rows wait: the runner that ends it takes the rows that queued meanwhile as its next run, and
 * the other runners sleep. One run of 20 rows costs a forest less than two of 10 (each tree's upper nodes are read
 * once for all the rows of a run), and the runner that just finished is already awake: handing the batch to a
 * sleeping thread costs a wake-up, on a busy machine a scheduler delay. A full batch, or an array chunk, is taken by
 * any free runner, so arrays and heavy load still use every runner.
 *
 * <p>An idle runner is woken last in, first out, and, with batching on, only while no other woken runner is still on
 * its way: under single-row load the same runner serves run after run, as one runner thread would. With a FIFO
 * wake-up (one condition for all) each run went to the runner that had slept longest, and a second offer before that
 * runner woke woke the other one as well; one runner thread ({@code inference.threads=1}) served 12-21 % more single
 * rows than those two, this rule as many.
 *
 * @param <W> a queued item: one request's rows or a chunk of them
 */
final class RunQueue<W> {
  private final boolean batching;
  private final int maxBatchRows;
  private final long maxWaitNanos;
  private final ToIntFunction<W> rowsOf;
  private final ToLongNanos<W> enqueuedAt;

  private final ReentrantLock lock = new ReentrantLock();
  /** Runners waiting for work they may take, each on its own condition, the one that went idle last first. */
  private final ArrayDeque<Condition> idle = new ArrayDeque<>();
  /** Runners signalled that have not woken yet. */
  private int wakesPending;
  /** The runner filling a batch during its deliberate wait. */
  private final Condition more = lock.newCondition();
  private final ArrayDeque<W> queue = new ArrayDeque<>();
  private int waitingRows;
  private int partialRuns;
  private boolean filling;
  private boolean stopped;

  /** When an item was queued, in {@link System#nanoTime()} terms. */
  @FunctionalInterface
  interface ToLongNanos<W> {
    long nanos(W item);
  }

  RunQueue(boolean batching, int maxBatchRows, long maxWaitNanos, ToIntFunction<W> rowsOf, ToLongNanos<W> enqueuedAt) {
    this.batching = batching;
    this.maxBatchRows = maxBatchRows;
    this.maxWaitNanos = maxWaitNanos;
    this.rowsOf = rowsOf;
    this.enqueuedAt = enqueuedAt;
  }

  /** Queues the items, or returns false once {@link #stop()} has run (the caller answers them). */
  boolean offer(List<W> items) {
    lock.lock();
    try {
      if (stopped) {
        return false;
      }
      for (W w : items) {
        queue.add(w);
        waitingRows += rowsOf.applyAsInt(w);
      }
      if (filling) {
        more.signal();
      } else {
        wakeIfTakeable();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next run for a runner, blocking until there is one; null once stopped.
   *
   * @param endedPartial whether this runner's previous run was a partial one (it has just ended)
   */
  List<W> next(boolean endedPartial) throws InterruptedException {
    lock.lock();
    try {
      if (endedPartial) {
        partialRuns--;
      }
      while (!stopped && !takeable()) {
        Condition mine = lock.newCondition();
        idle.push(mine);
        try {
          mine.await();
        } finally {
          if (!idle.remove(mine)) { // gone: a signal took it out and counted it (still there: spurious, or interrupted)
            wakesPending--;
          }
        }
      }
      if (stopped) {
        return null;
      }
      List<W> run = new ArrayList<>();
      take(run);
      if (batching) {
        fill(run);
        filling = false;
      }
      if (isPartial(run)) {
        partialRuns++;
      }
      wakeIfTakeable(); // what is left may be another runner's
      return run;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a run of these items is partial, so that the runner passes {@code endedPartial} after it. */
  boolean isPartial(List<W> run) {
    if (!batching) {
      return false;
    }
    int rows = 0;
    for (W w : run) {
      rows += rowsOf.applyAsInt(w);
    }
    return rows < maxBatchRows;
  }

  /** Stops taking work and wakes every runner; returns what was still queued. */
  List<W> stop() {
    lock.lock();
    try {
      stopped = true;
      List<W> left = new ArrayList<>(queue);
      queue.clear();
      waitingRows = 0;
      wakesPending += idle.size();
      idle.forEach(Condition::signal);
      idle.clear();
      more.signalAll();
      return left;
    } finally {
      lock.unlock();
    }
  }

  private boolean takeable() {
    if (queue.isEmpty() || filling) {
      return false;
    }
    return !batching || partialRuns == 0 || waitingRows >= maxBatchRows;
  }

  /**
   * Wakes the runner that went idle last. With batching on, not while a signalled runner is still waking: it takes
   * what queued meanwhile too, and wakes the next runner itself when more is left than it takes.
   */
  private void wakeIfTakeable() {
    if (takeable() && (!batching || wakesPending == 0)) {
      Condition last = idle.poll();
      if (last != null) {
        wakesPending++;
        last.signal();
      }
    }
  }

  private void take(List<W> run) {
    W w = queue.poll();
    waitingRows -= rowsOf.applyAsInt(w);
    run.add(w);
  }

  /** Adds the following items while they fit, waiting for more until the oldest has waited maxWait. */
  private void fill(List<W> run) {
    int rows = rowsOf.applyAsInt(run.get(0));
    long deadline = enqueuedAt.nanos(run.get(0)) + maxWaitNanos;
    while (rows < maxBatchRows && !stopped) {
      W next = queue.peek();
      if (next == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        filling = true; // the other runners leave the queue to this batch meanwhile
        try {
          more.awaitNanos(left);
        } catch (InterruptedException e) { // the rows taken are run, not dropped; the runner ends after them
          Thread.currentThread().interrupt();
          return;
        }
        continue;
      }
      if (rows + rowsOf.applyAsInt(next) > maxBatchRows) {
        return;
      }
      take(run);
      rows += rowsOf.applyAsInt(next);
    }
  }
}
