package io.mlserve.recommend.store;

import io.mlserve.recommend.algo.Algo;
import io.mlserve.recommend.serving.RecsKeys;
import io.mlserve.store.Collections;
import io.mlserve.store.RedisStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes computed recommendations: one unordered bulk upsert per chunk into {@code recommendations} (keyed by the
 * unique (userId, algo) index) and one pipelined round trip of SETEX to Redis ({@code recommendations:{u}:{algo}},
 * plus {@code recommendations:{u}} for the default algorithm). Redis is a cache: its failures are counted, never
 * fatal.
 */
public final class RecsStore {
  /** A user's recommendations of one algorithm, ready to store. */
  public record Entry(int userId, Algo algo, JsonObject doc) {
  }

  public record Written(long mongoDocs, long redisKeys, long redisFailures) {
  }

  /** Back-off before each retry of a failed Mongo bulk write (upserts are idempotent, so retrying is safe). */
  private static final long[] RETRY_DELAYS_MS = {250, 1000, 3000};
  private static final Logger LOG = LoggerFactory.getLogger(RecsStore.class);

  private final Vertx vertx;
  private final MongoClient mongo;
  private final RedisStore redis;
  private final long ttlSeconds;

  public RecsStore(Vertx vertx, MongoClient mongo, RedisStore redis, long ttlSeconds) {
    this.vertx = vertx;
    this.mongo = mongo;
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
  }

  public Future<Written> write(List<Entry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(new Written(0, 0, 0));
    }
    List<BulkOperation> ops = new ArrayList<>(entries.size());
    List<Request> sets = new ArrayList<>(entries.size() + entries.size() / 4);
    for (Entry e : entries) {
      ops.add(BulkOperation.createReplace(new JsonObject().put("userId", e.userId()).put("algo", e.algo().id()),
          e.doc(), true));
      String json = e.doc().encode();
      sets.add(setex(RecsKeys.algoKey(e.userId(), e.algo()), json));
      if (e.algo() == Algo.DEFAULT) {
        sets.add(setex(RecsKeys.defaultKey(e.userId()), json));
      }
      if (e.userId() == RecsKeys.POPULARITY_USER) {
        sets.add(setex(RecsKeys.popularityKey(), json));
      }
    }
    return bulkWrite(ops, 0)
        .compose(m -> redis.batch(sets)
            .map(r -> new Written(entries.size(), sets.size(), 0))
            .recover(t -> Future.succeededFuture(new Written(entries.size(), 0, sets.size()))));
  }

  private Future<Void> bulkWrite(List<BulkOperation> ops, int attempt) {
    return mongo.bulkWriteWithOptions(Collections.RECOMMENDATIONS, ops, new BulkWriteOptions(false))
        .<Void>mapEmpty()
        .recover(t -> {
          if (attempt >= RETRY_DELAYS_MS.length) {
            return Future.failedFuture(t);
          }
          LOG.warn("bulk write of {} recommendations failed ({}); retry {} of {}", ops.size(), t.getMessage(),
              attempt + 1, RETRY_DELAYS_MS.length);
          return vertx.timer(RETRY_DELAYS_MS[attempt]).compose(x -> bulkWrite(ops, attempt + 1));
        });
  }

  private Request setex(String logicalKey, String json) {
    return Request.cmd(Command.SETEX).arg(redis.key(logicalKey)).arg(ttlSeconds).arg(json);
  }
}
