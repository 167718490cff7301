package io.mlserve.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Runs and tracks long jobs in this process and finds jobs of other processes.
 *
 * <p>The process that runs a job owns it: it answers {@code jobs.<id>.status} and {@code jobs.<id>.cancel} on the
 * event bus, logs progress (count, percent, rate, ETA) every few seconds, saves a snapshot to the {@code jobs}
 * collection as it goes and publishes {@code jobs.finished} at the end. Any process can then answer
 * {@code GET /jobs/{id}}: live from the owner when it is reachable, from MongoDB otherwise.
 *
 * <p>The owner also keeps the final snapshots of its most recently finished jobs ({@value #RECENT_FINISHED}) in
 * memory: a job is visible between leaving the running map and its final save, and a job whose final save failed
 * (MongoDB down) still answers with its outcome; such saves are retried every few seconds until MongoDB takes them.
 */
public final class Jobs {
  public static final String FINISHED_ADDRESS = "jobs.finished";
  private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final int RECENT_FINISHED = 256;
  private static final long RESAVE_MS = 2000;

  private final Vertx vertx;
  private final MongoClient mongo;
  private final MeterRegistry metrics;
  private final long persistEveryMs;
  private final long logEveryMs;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  /** Per job, the last save queued: saves of one job run one after the other (see {@link #save}). */
  private final Map<String, Future<Void>> savesInFlight = new ConcurrentHashMap<>();
  /** Final snapshots of the latest finished jobs, oldest evicted first; guarded by itself. */
  private final Map<String, Finished> finished = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Finished> eldest) {
      return size() > RECENT_FINISHED;
    }
  };
  private boolean resaveScheduled;

  /** {@code attempted}: a save was tried (it may have failed; then {@code saved} stays false). */
  private record Finished(JsonObject snapshot, boolean saved, boolean attempted) {
  }

  private record Running(Job job, List<MessageConsumer<?>> consumers, long timerId) {
  }

  public Jobs(Vertx vertx, MongoClient mongo, MeterRegistry metrics) {
    this(vertx, mongo, metrics, 1000, 5000);
  }

  public Jobs(Vertx vertx, MongoClient mongo, MeterRegistry metrics, long persistEveryMs, long logEveryMs) {
    this.vertx = vertx;
    this.mongo = mongo;
    this.metrics = metrics;
    this.persistEveryMs = persistEveryMs;
    this.logEveryMs = logEveryMs;
  }

  /** Rejects ids that could be anything but one of ours (they end up in queries and event-bus addresses). */
  public static String checkId(String jobId) {
    if (jobId == null || !SAFE_ID.matcher(jobId).matches()) {
      throw ApiError.badRequest("jobId", "job ids are 1-64 letters, digits, '-' or '_'");
    }
    return jobId;
  }

  /**
   * Starts {@code work} as a new job and returns it at once. The work runs wherever it chooses (typically a named
   * worker pool) and completes its future with a result summary; failing with {@link JobCancelledException} (or
   * after a cancel request) ends the job CANCELLED, any other failure ends it FAILED with the message recorded.
   */
  public Job start(String kind, JsonObject params, Function<Job, Future<JsonObject>> work) {
    Job job = new Job(UUID.randomUUID().toString(), kind, params);
    String id = job.id();
    MessageConsumer<JsonObject> status = vertx.eventBus().consumer(statusAddress(id),
        msg -> msg.reply(job.snapshot()));
    MessageConsumer<JsonObject> cancel = vertx.eventBus().consumer(cancelAddress(id), msg -> {
      job.requestCancel();
      msg.reply(job.snapshot());
    });
    long[] lastLog = {System.currentTimeMillis()};
    long timer = vertx.setPeriodic(persistEveryMs, t -> {
      persist(job);
      if (System.currentTimeMillis() - lastLog[0] >= logEveryMs) {
        lastLog[0] = System.currentTimeMillis();
        logProgress(job);
      }
    });
    running.put(id, new Running(job, List.of(status, cancel), timer));
    LOG.info("job {} {} started {}", kind, id, job.params().encode());
    persist(job);
    Future<JsonObject> outcome;
    try {
      outcome = work.apply(job);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded() && !job.isCancelled()) {
        job.finish(JobState.SUCCEEDED, ar.result(), null);
      } else if (job.isCancelled() || ar.cause() instanceof JobCancelledException) {
        job.finish(JobState.CANCELLED, null, "cancelled on request");
      } else {
        Throwable t = ar.cause();
        String message = t instanceof ApiError e ? e.getMessage() : t.toString();
        if (!(t instanceof ApiError)) {
          LOG.error("job {} {} failed", kind, id, t);
        }
        job.finish(JobState.FAILED, null, message);
      }
      end(job);
    });
    return job;
  }

  private void end(Job job) {
    JsonObject snap = job.snapshot();
    // visible from memory before it leaves the running map, so no status request falls between the two
    remember(snap);
    Running r = running.remove(job.id());
    if (r != null) {
      vertx.cancelTimer(r.timerId());
      r.consumers().forEach(MessageConsumer::unregister);
    }
    LOG.info("job {} {} {} after {} ms: {}/{} {}{}", job.kind(), job.id(), job.state(), snap.getLong("durationMs"),
        job.processed(), job.total(), snap.getString("unit"),
        job.state() == JobState.FAILED ? " error: " + snap.getString("error") : "");
    Counter.builder("mlserve.jobs").description("Finished jobs by kind and final state")
        .tag("kind", job.kind()).tag("state", job.state().name().toLowerCase(Locale.ROOT))
        .register(metrics).increment();
    Timer.builder("mlserve.job.duration").description("Job run time by kind")
        .tag("kind", job.kind()).register(metrics).record(Duration.ofMillis(snap.getLong("durationMs")));
    saveFinal(snap).onComplete(v -> vertx.eventBus().publish(FINISHED_ADDRESS, snap));
  }

  private void remember(JsonObject snap) {
    synchronized (finished) {
      finished.put(snap.getString("jobId"), new Finished(snap, false, false));
    }
  }

  private JsonObject recent(String jobId) {
    synchronized (finished) {
      Finished f = finished.get(jobId);
      return f == null ? null : f.snapshot().copy();
    }
  }

  /** Saves a final snapshot; when MongoDB refuses, keeps it marked unsaved and schedules a retry. */
  private Future<Void> saveFinal(JsonObject snap) {
    return save(snap).transform(ar -> {
      if (ar.succeeded()) {
        synchronized (finished) {
          finished.computeIfPresent(snap.getString("jobId"), (k, f) -> new Finished(f.snapshot(), true, true));
        }
      } else {
        synchronized (finished) {
          finished.computeIfPresent(snap.getString("jobId"), (k, f) -> new Finished(f.snapshot(), false, true));
        }
        LOG.warn("could not save the final status of job {} (kept in memory, retrying every {} ms): {}",
            snap.getString("jobId"), RESAVE_MS, ar.cause().toString());
        scheduleResave();
      }
      return Future.<Void>succeededFuture();
    });
  }

  private void scheduleResave() {
    synchronized (finished) {
      if (resaveScheduled) {
        return;
      }
      resaveScheduled = true;
    }
    vertx.setTimer(RESAVE_MS, t -> {
      List<JsonObject> unsaved = new ArrayList<>();
      synchronized (finished) {
        resaveScheduled = false;
        finished.values().stream().filter(f -> !f.saved()).forEach(f -> unsaved.add(f.snapshot()));
      }
      unsaved.forEach(snap -> saveFinal(snap).onSuccess(v -> {
        if (recentSaved(snap.getString("jobId"))) {
          LOG.info("saved the final status of job {} after MongoDB returned", snap.getString("jobId"));
        }
      }));
    });
  }

  /** True while a job that finished here waits for its first save attempt. */
  private boolean firstSavePending(String jobId) {
    synchronized (finished) {
      Finished f = finished.get(jobId);
      return f != null && !f.saved() && !f.attempted();
    }
  }

  private boolean recentSaved(String jobId) {
    synchronized (finished) {
      Finished f = finished.get(jobId);
      return f != null && f.saved();
    }
  }

  /** Whether every recently finished job's final status is in MongoDB (false while a save is pending). */
  public boolean allFinishedSaved() {
    synchronized (finished) {
      return finished.values().stream().allMatch(Finished::saved);
    }
  }

  private void logProgress(Job job) {
    JsonObject s = job.snapshot();
    long eta = s.getLong("etaSeconds");
    LOG.info("job {} {} {}: {}/{} {} ({}%), {}/s, ETA {}", job.kind(), job.id(), job.snapshot().getString("phase"),
        job.processed(), job.total() < 0 ? "?" : job.total(), s.getString("unit"),
        s.getValue("percent") == null ? "?" : s.getValue("percent"), s.getDouble("rate"),
        eta < 0 ? "unknown" : eta + " s");
  }

  private Future<Void> persist(Job job) {
    if (savesInFlight.containsKey(job.id())) {
      return Future.succeededFuture(); // progress only: the next tick saves a fresher snapshot; no queue builds up
    }
    return save(job.snapshot()).recover(t -> {
      LOG.warn("could not save the status of job {}: {}", job.id(), t.toString());
      return Future.succeededFuture();
    });
  }

  /**
   * Saves a snapshot after the job's previous save has completed. Unordered, a periodic RUNNING save still in flight
   * when the job ends could land after the final one and leave MongoDB saying RUNNING for good.
   */
  private Future<Void> save(JsonObject snap) {
    String id = snap.getString("jobId");
    @SuppressWarnings("unchecked")
    Future<Void>[] mine = new Future[1];
    savesInFlight.compute(id, (k, previous) -> mine[0] = (previous == null ? Future.<Void>succeededFuture() : previous)
        .transform(ignored -> mongo.updateCollectionWithOptions(Collections.JOBS, new JsonObject().put("jobId", id),
            new JsonObject().put("$set", snap), new UpdateOptions().setUpsert(true)).mapEmpty()));
    return mine[0].andThen(ar -> savesInFlight.remove(id, mine[0]));
  }

  /** A job running in this process, if any. */
  public Job local(String jobId) {
    Running r = running.get(jobId);
    return r == null ? null : r.job();
  }

  public int runningCount() {
    return running.size();
  }

  /**
   * Live status from the owning process (running, or recently finished here), else the last saved snapshot; 404
   * when unknown.
   */
  public Future<JsonObject> status(String jobId) {
    checkId(jobId);
    Job local = local(jobId);
    if (local != null) {
      return Future.succeededFuture(local.snapshot());
    }
    JsonObject recent = recent(jobId);
    if (recent != null) {
      return Future.succeededFuture(recent);
    }
    return vertx.eventBus().<JsonObject>request(statusAddress(jobId), new JsonObject())
        .map(m -> m.body())
        .recover(t -> isNoHandler(t) ? stored(jobId) : Future.failedFuture(Bus.toApiError(statusAddress(jobId), t)));
  }

  /**
   * Asks the owner to cancel. 409 when the job already ended; a job saved as running whose owner is gone (its
   * process died) is marked FAILED so it does not look alive forever.
   */
  public Future<JsonObject> cancel(String jobId) {
    checkId(jobId);
    Job local = local(jobId);
    if (local != null) {
      local.requestCancel();
      return Future.succeededFuture(local.snapshot());
    }
    JsonObject recent = recent(jobId);
    if (recent != null) {
      return Future.failedFuture(ApiError.conflict("job " + jobId + " already ended as " + recent.getString("state"))
          .with("job", recent));
    }
    return vertx.eventBus().<JsonObject>request(cancelAddress(jobId), new JsonObject())
        .map(m -> m.body())
        .recover(t -> {
          if (!isNoHandler(t)) {
            return Future.failedFuture(Bus.toApiError(cancelAddress(jobId), t));
          }
          return stored(jobId).compose(snap -> {
            if (!JobState.RUNNING.name().equals(snap.getString("state"))) {
              return Future.failedFuture(ApiError.conflict("job " + jobId + " already ended as "
                  + snap.getString("state")).with("job", snap));
            }
            JsonObject orphan = snap.copy().put("state", JobState.FAILED.name())
                .put("error", "the process running this job is gone");
            return mongo.updateCollection(Collections.JOBS, new JsonObject().put("jobId", jobId),
                new JsonObject().put("$set", orphan)).map(orphan);
          });
        });
  }

  private Future<JsonObject> stored(String jobId) {
    return mongo.findOne(Collections.JOBS, new JsonObject().put("jobId", jobId), new JsonObject().put("_id", 0))
        .recover(t -> Future.failedFuture(ApiError.unavailable("job status store (MongoDB) is unreachable: "
            + t.getMessage())))
        .compose(doc -> doc == null ? Future.failedFuture(ApiError.notFound("no job " + jobId))
            : Future.succeededFuture(doc));
  }

  /** Most recent jobs first, optionally of one kind. */
  public Future<JsonArray> list(String kind, int limit) {
    JsonObject query = kind == null ? new JsonObject() : new JsonObject().put("kind", kind);
    return mongo.findWithOptions(Collections.JOBS, query, new FindOptions()
            .setSort(new JsonObject().put("startedAt", -1)).setLimit(limit).setFields(new JsonObject().put("_id", 0)))
        .map(JsonArray::new);
  }

  /**
   * Completes with the final snapshot when the job ends, wherever it runs (for orchestration such as the
   * pipeline). Listens for {@code jobs.finished} and also polls, so a missed message cannot hang the caller.
   */
  public Future<JsonObject> awaitFinished(String jobId, long pollMs) {
    Promise<JsonObject> done = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(FINISHED_ADDRESS, msg -> {
      if (jobId.equals(msg.body().getString("jobId"))) {
        done.tryComplete(msg.body());
      }
    });
    // a final kept here whose first save is still under way does not count yet: callers expect the outcome to be
    // in MongoDB (other processes read it there) once this completes; jobs.finished follows that save attempt
    long timer = vertx.setPeriodic(pollMs, t -> status(jobId).onSuccess(s -> {
      if (!JobState.RUNNING.name().equals(s.getString("state")) && !firstSavePending(jobId)) {
        done.tryComplete(s);
      }
    }));
    return done.future().andThen(ar -> {
      consumer.unregister();
      vertx.cancelTimer(timer);
    });
  }

  /** Cancels every local job (used when the owning verticle stops). */
  public void cancelAll() {
    running.values().forEach(r -> r.job().requestCancel());
  }

  public static String statusAddress(String jobId) {
    return "jobs." + jobId + ".status";
  }

  public static String cancelAddress(String jobId) {
    return "jobs." + jobId + ".cancel";
  }

  private static boolean isNoHandler(Throwable t) {
    return t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
