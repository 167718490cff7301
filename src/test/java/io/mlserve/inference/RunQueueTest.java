package io.mlserve.inference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The runners' queue on its own: which runner may take what, and how runs are shaped. */
class RunQueueTest {
  /** The second runner's thread. */
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /** A queued request of {@code rows} rows. */
  private record Item(int rows, long enqueuedNanos) {
    Item(int rows) {
      this(rows, System.nanoTime());
    }
  }

  private static RunQueue<Item> queue(boolean batching, long maxWaitNanos) {
    return new RunQueue<>(batching, 64, maxWaitNanos, Item::rows, Item::enqueuedNanos);
  }

  private static List<Item> singles(int n) {
    return IntStream.range(0, n).mapToObj(i -> new Item(1)).toList();
  }

  private static int rows(List<Item> run) {
    return run.stream().mapToInt(Item::rows).sum();
  }

  /** A second runner asking for work on its own thread. */
  private CompletableFuture<List<Item>> otherRunner(RunQueue<Item> q) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return q.next(false);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, pool);
  }

  @Test
  @DisplayName("batching: rows that queue while a partial run is in flight wait for its runner, which takes them all")
  void partialRunsOneAtATime() throws Exception {
    RunQueue<Item> q = queue(true, 0);
    try {
      q.offer(singles(1));
      List<Item> first = q.next(false);
      assertThat(first).hasSize(1);
      assertThat(q.isPartial(first)).isTrue();
      CompletableFuture<List<Item>> other = otherRunner(q);
      q.offer(singles(5));
      Thread.sleep(200);
      assertThat(other).as("the idle runner leaves a partial batch to the running one").isNotDone();
      List<Item> second = q.next(true); // the first run ended
      assertThat(rows(second)).as("one run for the rows that queued meanwhile").isEqualTo(5);
      assertThat(other).isNotDone();
      assertThat(q.stop()).isEmpty();
      assertThat(other.get(5, TimeUnit.SECONDS)).as("stop wakes a waiting runner with no run").isNull();
    } finally {
      q.stop();
    }
  }

  /** A runner on a thread of its own, started and waiting in {@code next} when this returns. */
  private static CompletableFuture<List<Item>> idleRunner(RunQueue<Item> q, String name) throws InterruptedException {
    CompletableFuture<List<Item>> run = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        run.complete(q.next(false));
      } catch (Throwable e) {
        run.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(t.getState()).as(name + " waits for work").isEqualTo(Thread.State.WAITING);
    return run;
  }

  @Test
  @DisplayName("batching: the runner that went idle last is woken first, so one runner serves single-row load")
  void lastIdleRunnerIsWokenFirst() throws Exception {
    RunQueue<Item> q = queue(true, 0);
    try {
      CompletableFuture<List<Item>> earlier = idleRunner(q, "runner-idle-first");
      CompletableFuture<List<Item>> later = idleRunner(q, "runner-idle-last");
      q.offer(singles(3));
      assertThat(rows(later.get(5, TimeUnit.SECONDS))).as("the last idle runner takes the rows").isEqualTo(3);
      Thread.sleep(200);
      assertThat(earlier).as("the runner idle longest sleeps on").isNotDone();
      q.stop();
      assertThat(earlier.get(5, TimeUnit.SECONDS)).isNull();
    } finally {
      q.stop();
    }
  }

  @Test
  @DisplayName("batching: a full batch, or an array chunk bigger than a batch, goes to any free runner at once")
  void fullBatchesInParallel() throws Exception {
    RunQueue<Item> q = queue(true, 0);
    try {
      q.offer(singles(1));
      q.next(false); // a partial run in flight
      CompletableFuture<List<Item>> other = otherRunner(q);
      q.offer(singles(70));
      List<Item> full = other.get(5, TimeUnit.SECONDS);
      assertThat(rows(full)).as("a full batch, never more").isEqualTo(64);
      assertThat(q.isPartial(full)).isFalse();

      CompletableFuture<List<Item>> chunkRunner = otherRunner(q);
      Thread.sleep(100);
      assertThat(chunkRunner).as("6 rows left: a partial batch, and a partial run is in flight").isNotDone();
      assertThat(rows(q.next(true))).as("the runner ending the partial run takes them").isEqualTo(6);
      q.offer(List.of(new Item(1000)));
      List<Item> chunk = chunkRunner.get(5, TimeUnit.SECONDS);
      assertThat(rows(chunk)).as("while a partial run is in flight").isEqualTo(1000);
      assertThat(q.isPartial(chunk)).isFalse();
    } finally {
      q.stop();
    }
  }

  @Test
  @DisplayName("batching off: every request is a run of its own, taken by any free runner")
  void unbatched() throws Exception {
    RunQueue<Item> q = queue(false, 0);
    try {
      q.offer(singles(3));
      List<Item> first = q.next(false);
      assertThat(first).hasSize(1);
      assertThat(q.isPartial(first)).isFalse();
      assertThat(otherRunner(q).get(5, TimeUnit.SECONDS)).hasSize(1);
      assertThat(q.next(false)).hasSize(1);
    } finally {
      q.stop();
    }
  }

  @Test
  @DisplayName("maxWait: the runner filling a batch waits for companions, and no other runner takes them meanwhile")
  void deliberateWait() throws Exception {
    RunQueue<Item> q = queue(true, TimeUnit.MILLISECONDS.toNanos(300));
    try {
      q.offer(singles(1));
      CompletableFuture<List<Item>> filler = otherRunner(q);
      Thread.sleep(50);
      q.offer(singles(2));
      List<Item> run = filler.get(5, TimeUnit.SECONDS);
      assertThat(rows(run)).isEqualTo(3);
    } finally {
      q.stop();
    }
  }

  @Test
  @DisplayName("stop: what is queued is handed back, and nothing is queued after it")
  void stop() {
    RunQueue<Item> q = queue(true, 0);
    q.offer(singles(4));
    assertThat(q.stop()).hasSize(4);
    assertThat(q.offer(singles(1))).isFalse();
  }
}
