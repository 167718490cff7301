package io.mlserve.recommend.batch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.jobs.Job;
import io.mlserve.recommend.algo.Algo;
import io.mlserve.recommend.algo.Parallel;
import io.mlserve.recommend.algo.RecsModel;
import io.mlserve.recommend.algo.ScoredItems;
import io.mlserve.recommend.data.IdIndex;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.UserHistory;
import io.mlserve.recommend.serving.RecsKeys;
import io.mlserve.recommend.store.InteractionStore;
import io.mlserve.recommend.store.RecsStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The recommender role's work, adapting the plain-Java models to Vert.x: batch compute for every user and per-user
 * refresh. Heavy loops run on the {@code recommend} worker pool in parallel chunks; their coordinator runs on a
 * standard worker thread (never a pool thread, so a pool of one cannot deadlock). Each chunk is written with one
 * Mongo bulk upsert and one Redis pipeline; at the end {@code recs.invalidated} tells every api process to drop
 * its near-cache entries.
 */
public final class RecsEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RecsEngine.class);

  private final Vertx vertx;
  private final Services services;
  private final WorkerExecutor pool;
  private final Parallel parallel;
  private final RecsStore store;
  private final AtomicReference<RecsModel> model = new AtomicReference<>();
  private final AtomicReference<String> modelVersion = new AtomicReference<>();
  private final AtomicReference<Double> lastUsersPerSecond = new AtomicReference<>(0.0);
  private final Timer batchTimer;
  private final RecentInteractions recent = new RecentInteractions();
  private volatile Future<RecsModel> fitting;
  private volatile Job running;

  public RecsEngine(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
    int size = services.config().recs().workerPoolSize();
    this.pool = vertx.createSharedWorkerExecutor("recommend", size, 30, TimeUnit.MINUTES);
    this.parallel = new Parallel(task -> pool.executeBlocking(() -> {
      task.run();
      return null;
    }, false), size);
    this.store = new RecsStore(vertx, services.mongo(), services.redis(), services.config().cache().ttlSeconds());
    this.batchTimer = Timer.builder("mlserve.recs.batch.duration")
        .description("Batch recommendation compute: load, fit, rank and write every user").register(services.metrics());
    Gauge.builder("mlserve.recs.batch.users.per.second", lastUsersPerSecond, AtomicReference::get)
        .description("Users per second of the last batch compute (ranking and writing)").register(services.metrics());
  }

  public void close() {
    pool.close();
  }

  /** Cancels this engine's batch job, if one runs (never other capabilities' jobs). */
  public void cancelRunning() {
    Job current = running;
    if (current != null && !current.state().terminal()) {
      services.jobs().cancel(current.id());
    }
  }

  public RecsModel model() {
    return model.get();
  }

  /** Starts a batch job (409 while one runs); replies with its id at once. */
  public synchronized JsonObject startCompute(Set<Algo> algos, int parallelism) {
    Job current = running;
    if (current != null && !current.state().terminal()) {
      throw ApiError.conflict("a recommendation batch is already running: job " + current.id())
          .with("jobId", current.id());
    }
    JsonObject params = new JsonObject().put("algos", new JsonArray(algos.stream().map(Algo::id).toList()))
        .put("parallelism", parallelism);
    Job job = services.jobs().start("recs.compute", params, j -> computeAll(j, algos, parallelism));
    running = job;
    return new JsonObject().put("jobId", job.id()).put("state", job.state().name()).put("status", "/jobs/" + job.id());
  }

  private Future<JsonObject> computeAll(Job job, Set<Algo> algos, int parallelism) {
    long t0 = System.nanoTime();
    job.phase("loading interactions");
    // interactions posted from now on may be missed by the load; keep them in the overlay until the next batch
    return InteractionStore.loadAll(services.mongo(), n -> job.detail(new JsonObject().put("loaded", n)))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows) : Future.failedFuture(ApiError.unprocessable(
            "interactions", "there are no interactions to learn from yet; POST /interactions or run import-ratings")))
        .compose(rows -> vertx.executeBlocking(() -> {
          long tLoaded = System.nanoTime();
          job.checkCancelled();
          Parallel par = parallel.limit(parallelism);
          job.phase("fitting models");
          InteractionMatrix m = InteractionMatrix.of(rows);
          RecsModel fitted = RecsModel.fit(m, services.config().recs().params(), par, new JobProgress(job, false));
          long tFitted = System.nanoTime();
          String version = "v" + System.currentTimeMillis();
          Instant computedAt = Instant.now();
          job.phase("recommending users").resetProgress(m.userCount()).total(m.userCount(), "users");
          AtomicLong docs = new AtomicLong();
          AtomicLong redisFailures = new AtomicLong();
          AtomicLong rankNanos = new AtomicLong();
          AtomicLong writeNanos = new AtomicLong();
          int chunk = services.config().recs().chunkUsers();
          // ranking overlaps with writing: each lane hands its chunk to the store and goes on, with at most
          // two chunks per lane in flight (bounded memory); waiting for a permit counts as write time
          int window = 2 * par.threads();
          Semaphore inFlight = new Semaphore(window);
          AtomicReference<Throwable> writeFailure = new AtomicReference<>();
          par.forRange(m.userCount(), chunk, (from, to) -> {
            job.checkCancelled();
            if (writeFailure.get() != null) {
              throw new IllegalStateException("writing recommendations failed: " + writeFailure.get().getMessage());
            }
            long c0 = System.nanoTime();
            RecsModel.Workspace ws = fitted.newWorkspace();
            List<RecsStore.Entry> entries = new ArrayList<>((to - from) * algos.size());
            for (int u = from; u < to; u++) {
              UserHistory h = fitted.matrix().history(u);
              entries.addAll(entries(fitted, m.users().idAt(u), h, algos, ws, computedAt, version));
            }
            long c1 = System.nanoTime();
            inFlight.acquireUninterruptibly();
            writeNanos.addAndGet(System.nanoTime() - c1);
            rankNanos.addAndGet(c1 - c0);
            store.write(entries).onComplete(ar -> {
              if (ar.succeeded()) {
                docs.addAndGet(ar.result().mongoDocs());
                redisFailures.addAndGet(ar.result().redisFailures());
                job.advance(to - from);
              } else {
                writeFailure.compareAndSet(null, ar.cause());
              }
              inFlight.release();
            });
          });
          long w0 = System.nanoTime();
          inFlight.acquireUninterruptibly(window);
          writeNanos.addAndGet(System.nanoTime() - w0);
          if (writeFailure.get() != null) {
            throw new IllegalStateException("writing recommendations failed: " + writeFailure.get().getMessage(),
                writeFailure.get());
          }
          await(store.write(List.of(popularityEntry(fitted, computedAt, version))));
          long tDone = System.nanoTime();
          model.set(fitted);
          modelVersion.set(version);
          recent.dropOlderThan(t0);
          double usersPerSecond = m.userCount() / Math.max(1e-9, (tDone - tFitted) / 1e9);
          lastUsersPerSecond.set(usersPerSecond);
          batchTimer.record(Duration.ofNanos(tDone - t0));
          vertx.eventBus().publish(RecsKeys.INVALIDATED, new JsonObject().put("all", true));
          if (redisFailures.get() > 0) {
            LOG.warn("batch {}: {} Redis writes failed; those users are served from MongoDB until refreshed",
                job.id(), redisFailures.get());
          }
          return new JsonObject()
              .put("users", m.userCount()).put("items", m.itemCount()).put("interactions", m.nnz())
              .put("algos", new JsonArray(algos.stream().map(Algo::id).toList()))
              .put("parallelism", par.threads())
              .put("documents", docs.get()).put("redisFailures", redisFailures.get())
              .put("modelVersion", version).put("computedAt", computedAt.toString())
              .put("loadMs", (tLoaded - t0) / 1_000_000).put("fitMs", (tFitted - tLoaded) / 1_000_000)
              .put("rankAndWriteMs", (tDone - tFitted) / 1_000_000).put("totalMs", (tDone - t0) / 1_000_000)
              .put("rankThreadMs", rankNanos.get() / 1_000_000).put("writeWaitThreadMs", writeNanos.get() / 1_000_000)
              .put("usersPerSecond", Math.round(usersPerSecond * 10) / 10.0);
        }, false));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("storage write timed out", e);
    }
  }

  /**
   * Recomputes some users from the current models and publishes the result. {@code posted} are the interactions
   * that triggered the refresh: they are merged over the users' rows in the model. Without them (a caller that only
   * names users) the users' interactions are read from MongoDB. Without a model yet, one is fitted from MongoDB
   * first (once, shared by concurrent refreshes).
   */
  public Future<JsonObject> refreshUsers(List<Integer> userIds, RatingsBuffer posted) {
    long t0 = System.nanoTime();
    return currentModel().compose(m -> {
      Future<Map<Integer, UserHistory>> histories;
      if (posted != null && recent.add(posted)) {
        Map<Integer, UserHistory> h = new HashMap<>();
        userIds.forEach(u -> h.put(u, recent.history(m.matrix(), u)));
        histories = Future.succeededFuture(h);
      } else {
        histories = InteractionStore.loadUsers(services.mongo(), userIds).map(rows -> fromRows(m, userIds, rows));
      }
      return histories.compose(h -> pool.executeBlocking(() -> {
        RecsModel.Workspace ws = m.newWorkspace();
        Instant now = Instant.now();
        List<RecsStore.Entry> entries = new ArrayList<>();
        for (int userId : userIds) {
          entries.addAll(entries(m, userId, h.get(userId), EnumSet.copyOf(Algo.SERVED), ws, now,
              modelVersion.get()));
        }
        return entries;
      }, false));
    })
        .compose(store::write)
        .map(w -> {
          vertx.eventBus().publish(RecsKeys.INVALIDATED,
              new JsonObject().put("userIds", new JsonArray(new ArrayList<Object>(userIds))));
          return new JsonObject().put("users", userIds.size()).put("documents", w.mongoDocs())
              .put("ms", (System.nanoTime() - t0) / 1_000_000);
        });
  }

  private static Map<Integer, UserHistory> fromRows(RecsModel m, List<Integer> userIds, RatingsBuffer rows) {
    Map<Integer, List<Integer>> byUser = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byUser.computeIfAbsent(rows.user(i), k -> new ArrayList<>()).add(i);
    }
    Map<Integer, UserHistory> out = new HashMap<>();
    for (int userId : userIds) {
      List<Integer> idx = byUser.getOrDefault(userId, List.of());
      int[] items = new int[idx.size()];
      float[] ratings = new float[idx.size()];
      for (int x = 0; x < idx.size(); x++) {
        items[x] = rows.item(idx.get(x));
        ratings[x] = rows.rating(idx.get(x));
      }
      out.put(userId, UserHistory.fromExternal(m.matrix().users().indexOf(userId), items, ratings,
          m.matrix().items()));
    }
    return out;
  }

  private synchronized Future<RecsModel> currentModel() {
    RecsModel m = model.get();
    if (m != null) {
      return Future.succeededFuture(m);
    }
    if (fitting == null) {
      fitting = InteractionStore.loadAll(services.mongo(), n -> { })
          .compose(rows -> vertx.executeBlocking(() -> RecsModel.fit(InteractionMatrix.of(rows),
              services.config().recs().params(), parallel, io.mlserve.recommend.algo.Progress.NONE), false))
          .andThen(ar -> {
            synchronized (this) {
              if (ar.succeeded() && model.get() == null) {
                model.set(ar.result());
                modelVersion.compareAndSet(null, "v" + System.currentTimeMillis());
              }
              fitting = null;
            }
          });
    }
    return fitting;
  }

  private List<RecsStore.Entry> entries(RecsModel m, int userId, UserHistory h, Set<Algo> algos,
                                        RecsModel.Workspace ws, Instant computedAt, String version) {
    int topN = services.config().recs().topN();
    Map<Algo, ScoredItems> all = algos.size() > 1 ? m.recommendAll(h, topN, ws) : null;
    boolean cold = m.isCold(h);
    List<RecsStore.Entry> out = new ArrayList<>(algos.size());
    for (Algo a : algos) {
      ScoredItems s = all != null ? all.get(a) : m.recommend(a, h, topN, ws);
      out.add(new RecsStore.Entry(userId, a, doc(userId, a, s, m.matrix().items(), computedAt, version, cold)));
    }
    return out;
  }

  private RecsStore.Entry popularityEntry(RecsModel m, Instant computedAt, String version) {
    ScoredItems s = m.recommend(Algo.POPULARITY, new UserHistory(-1, new int[0], new float[0]),
        services.config().recs().topN(), m.newWorkspace());
    return new RecsStore.Entry(RecsKeys.POPULARITY_USER, Algo.POPULARITY,
        doc(RecsKeys.POPULARITY_USER, Algo.POPULARITY, s, m.matrix().items(), computedAt, version, false));
  }

  /**
   * The stored document. Field order matters: {@code items} comes last (and items are flat objects) so the read path
   * can serve a prefix of the stored bytes without parsing them.
   */
  static JsonObject doc(int userId, Algo algo, ScoredItems s, IdIndex items, Instant computedAt, String version,
                        boolean popularityBasis) {
    JsonArray arr = new JsonArray(new ArrayList<>(s.size()));
    for (int i = 0; i < s.size(); i++) {
      arr.add(new JsonObject().put("itemId", items.idAt(s.items()[i]))
          .put("score", Math.round(s.scores()[i] * 10000.0) / 10000.0));
    }
    JsonObject doc = new JsonObject().put("userId", userId).put("algo", algo.id())
        .put("computedAt", computedAt.toString()).put("modelVersion", version);
    if (popularityBasis) {
      doc.put("basis", "popularity");
    }
    return doc.put("items", arr);
  }

  /** Job progress for the fitting phases (checks cancellation; counts only the user phase). */
  record JobProgress(Job job, boolean count) implements io.mlserve.recommend.algo.Progress {
    @Override
    public void phase(String name, long total) {
      job.phase("fitting models: " + name);
    }

    @Override
    public void advance(long n) {
      if (count) {
        job.advance(n);
      }
    }

    @Override
    public void checkCancelled() {
      job.checkCancelled();
    }
  }

}
