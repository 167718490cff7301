package io.mlserve.recommend.serving;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.recommend.algo.Algo;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The api role's read path, one per process (shared by every HTTP server instance): near cache (Caffeine, bounded,
 * short TTL) → Redis → MongoDB → popularity fallback. Entries are kept pre-encoded ({@link CachedRecs}), so a near
 * hit copies bytes into the response. {@code recs.invalidated} (published by the recommender after it writes) drops
 * near entries in every api process; an epoch counter keeps a read that raced with an invalidation from caching
 * what it read.
 */
public final class RecsReadPath {
  private static final Logger LOG = LoggerFactory.getLogger(RecsReadPath.class);
  private static final int SLOTS = 8;
  private static final int STRIPES = 1024;

  private final Services services;
  private final Cache<Long, CachedRecs> near;
  private final RecsMetrics metrics;
  /** Bumped by every "all" invalidation. */
  private final AtomicLong epoch = new AtomicLong();
  /** Bumped per user (striped) by user invalidations, so one user's refresh does not stop caching of others. */
  private final AtomicLongArray userEpochs = new AtomicLongArray(STRIPES);
  /** Near keys whose whole document is being read after a sliced miss. */
  private final ConcurrentHashMap<Long, Boolean> refilling = new ConcurrentHashMap<>();
  private final boolean redisReads;
  private final long ttlSeconds;
  private final long popularTtlMs;
  private volatile Popular popular;

  /** What answered and the encoded body. */
  public record Answer(Buffer body, CachedRecs.Source source) {
  }

  private record Popular(JsonObject doc, long loadedAt, long epoch) {
  }

  public RecsReadPath(Services services) {
    this.services = services;
    var cache = services.config().cache();
    this.near = cache.nearMaxEntries() == 0 || cache.nearTtlMs() == 0 ? null : Caffeine.newBuilder()
        .maximumSize(cache.nearMaxEntries())
        .expireAfterWrite(Duration.ofMillis(cache.nearTtlMs()))
        .executor(Runnable::run)
        .build();
    this.metrics = new RecsMetrics(services.metrics());
    this.redisReads = services.config().recs().redisReads();
    this.ttlSeconds = cache.ttlSeconds();
    this.popularTtlMs = Math.max(1000, cache.nearTtlMs());
    services.vertx().eventBus().<JsonObject>consumer(RecsKeys.INVALIDATED, msg -> invalidate(msg.body()));
    Bus.consume(services.vertx(), RecsKeys.GET, this::getForBus);
  }

  /** The process-wide instance. */
  public static RecsReadPath of(Services services) {
    return services.shared(RecsReadPath.class, () -> new RecsReadPath(services));
  }

  private static int stripe(long userId) {
    return (int) (userId & (STRIPES - 1));
  }

  /** A read's view of the invalidations that concern its user: changes when one arrives while it reads. */
  private long readStamp(long userId) {
    return epoch.get() * 31 + userEpochs.get(stripe(userId));
  }

  private static long nearKey(long userId, Algo algo) {
    return userId * SLOTS + (algo == null ? 0 : algo.ordinal() + 1);
  }

  private Future<JsonObject> getForBus(JsonObject body) {
    Object u = body.getValue("userId");
    Object a = body.getValue("algo");
    Object k = body.getValue("k");
    RecsQuery q = RecsQuery.parse(u == null ? null : String.valueOf(u), "userId", a == null ? null : String.valueOf(a),
        k == null ? null : String.valueOf(k));
    return get(q.userId(), q.algo(), q.k()).map(ans -> ans.body().toJsonObject());
  }

  /** Drops near entries: {@code {all: true}} or {@code {userIds: [...]}}. */
  void invalidate(JsonObject body) {
    if (body == null) {
      return;
    }
    if (body.getBoolean("all", false)) {
      epoch.incrementAndGet();
      popular = null;
      if (near != null) {
        near.invalidateAll();
      }
      return;
    }
    JsonArray ids = body.getJsonArray("userIds", new JsonArray());
    for (int i = 0; i < ids.size(); i++) {
      userEpochs.incrementAndGet(stripe(ids.getLong(i)));
    }
    if (near != null) {
      for (int i = 0; i < ids.size(); i++) {
        long u = ids.getLong(i);
        near.invalidate(nearKey(u, null));
        for (Algo a : Algo.values()) {
          near.invalidate(nearKey(u, a));
        }
      }
    }
  }

  /**
   * Recommendations of {@code userId} with the given algorithm ({@code null}: the default one, read from the
   * user's default Redis key), the first {@code k} items.
   */
  public Future<Answer> get(long userId, Algo requested, int k) {
    Algo algo = requested == null ? Algo.DEFAULT : requested;
    long key = nearKey(userId, requested);
    if (near != null) {
      CachedRecs found = near.getIfPresent(key);
      CachedRecs hit = found != null && found.covers(k) ? found : null;
      metrics.lookup(RecsMetrics.Tier.NEAR, hit != null);
      if (hit != null) {
        metrics.request(algo, CachedRecs.Source.NEAR);
        return Future.succeededFuture(new Answer(hit.render(k, CachedRecs.Source.NEAR), CachedRecs.Source.NEAR));
      }
    }
    long readEpoch = readStamp(userId);
    String redisKey = requested == null ? RecsKeys.defaultKey(userId) : RecsKeys.algoKey(userId, algo);
    Future<Buffer> fromRedis = redisReads
        ? services.redis().send(Request.cmd(Command.GET).arg(services.redis().key(redisKey)))
            .map(r -> r == null ? null : r.toBuffer())
            .recover(t -> Future.succeededFuture(null))
        : Future.succeededFuture(null);
    return fromRedis.compose(json -> {
      if (json != null) {
        CachedRecs c = decode(userId, json);
        if (c != null) {
          metrics.lookup(RecsMetrics.Tier.REDIS, true);
          keep(userId, key, c, readEpoch);
          return answer(c, algo, k, CachedRecs.Source.REDIS);
        }
      }
      if (redisReads) {
        metrics.lookup(RecsMetrics.Tier.REDIS, false);
      }
      return fromMongo(userId, algo, requested, k, key, redisKey, readEpoch);
    });
  }

  /**
   * A cache miss reads only the first {@code k} items (a {@code $slice} projection: a tenth of the bytes at the
   * default k through the server, the driver and the JSON encoding) and answers with them. Those items go to the
   * near cache at once, marked partial (they answer requests for up to k items), and a second read of the whole
   * document after the answer refills the near cache and Redis, so the miss's latency does not pay for it.
   */
  private Future<Answer> fromMongo(long userId, Algo algo, Algo requested, int k, long key, String redisKey,
                                   long readEpoch) {
    JsonObject query = new JsonObject().put("userId", userId).put("algo", algo.id());
    // fields named: mongo-java-server treats a lone $slice as an inclusion projection (MongoDB does not)
    JsonObject sliced = new JsonObject().put("_id", 0).put("userId", 1).put("algo", 1).put("computedAt", 1)
        .put("modelVersion", 1).put("basis", 1).put("items", new JsonObject().put("$slice", k));
    return services.mongo().findOne(Collections.RECOMMENDATIONS, query, sliced)
        .recover(t -> Future.failedFuture(mongoDown(userId, t)))
        .compose(doc -> {
          metrics.lookup(RecsMetrics.Tier.MONGO, doc != null);
          if (doc == null) {
            return fallback(userId, algo, k);
          }
          CachedRecs c = CachedRecs.ofStored(userId, doc.toBuffer());
          if (c.size() < k) { // the slice held every item there is: this is the whole document
            keep(userId, key, c, readEpoch);
            if (redisReads) {
              setex(redisKey, doc);
            }
          } else if (near != null || redisReads) {
            keepPartial(userId, key, c.partial(), readEpoch);
            refill(userId, query, key, redisKey, readEpoch);
          }
          return answer(c, algo, k, CachedRecs.Source.MONGO);
        });
  }

  private void refill(long userId, JsonObject query, long key, String redisKey, long readEpoch) {
    if (refilling.putIfAbsent(key, Boolean.TRUE) != null) {
      return; // a burst of misses on one key reads the whole document once
    }
    services.mongo().findOne(Collections.RECOMMENDATIONS, query, new JsonObject().put("_id", 0))
        .onComplete(ar -> refilling.remove(key))
        .onSuccess(doc -> {
          if (doc == null) {
            return;
          }
          keep(userId, key, CachedRecs.ofStored(userId, doc.toBuffer()), readEpoch);
          if (redisReads) {
            setex(redisKey, doc);
          }
        })
        .onFailure(t -> LOG.debug("could not refill the caches of user {}: {}", userId, t.toString()));
  }

  private void setex(String redisKey, JsonObject doc) {
    services.redis().setex(redisKey, ttlSeconds, doc.encode())
        .onFailure(t -> LOG.debug("could not refill Redis key {}: {}", redisKey, t.toString()));
  }

  /** Like {@link #keep}, but never over a whole entry (a refill may have landed while this read was out). */
  private void keepPartial(long userId, long key, CachedRecs c, long readEpoch) {
    if (near != null && readStamp(userId) == readEpoch) {
      near.asMap().merge(key, c, (old, partial) -> old.covers(Integer.MAX_VALUE) ? old : partial);
    }
  }

  private void keep(long userId, long key, CachedRecs c, long readEpoch) {
    if (near != null && readStamp(userId) == readEpoch) {
      near.put(key, c);
    }
  }

  private Future<Answer> answer(CachedRecs c, Algo algo, int k, CachedRecs.Source source) {
    metrics.request(algo, source);
    return Future.succeededFuture(new Answer(c.render(k, source), source));
  }

  private static CachedRecs decode(long userId, Buffer json) {
    try {
      return CachedRecs.ofStored(userId, json);
    } catch (RuntimeException e) {
      LOG.warn("ignoring an unreadable Redis entry for user {}: {}", userId, e.toString());
      return null;
    }
  }

  private static ApiError mongoDown(long userId, Throwable t) {
    return ApiError.unavailable("MongoDB is unreachable and user " + userId
        + "'s recommendations are not cached; retry shortly (" + t.getMessage() + ")");
  }

  /**
   * Users with no stored recommendations (unknown to the last batch): the most popular items they do not have.
   * The popularity list is the recommender's stored one, or counted from the interactions when no batch ran yet.
   */
  private Future<Answer> fallback(long userId, Algo algo, int k) {
    return popularDoc().compose(pop -> seenItems(userId).map(seen -> {
      JsonArray items = new JsonArray();
      JsonArray all = pop.getJsonArray("items", new JsonArray());
      for (int i = 0; i < all.size() && items.size() < k; i++) {
        JsonObject it = all.getJsonObject(i);
        if (!seen.contains(it.getLong("itemId"))) {
          items.add(it);
        }
      }
      JsonObject body = new JsonObject().put("userId", userId).put("algo", algo.id())
          .put("computedAt", pop.getValue("computedAt")).put("modelVersion", pop.getString("modelVersion"))
          .put("basis", "popularity").put("items", items).put("source", CachedRecs.Source.FALLBACK.id);
      metrics.request(algo, CachedRecs.Source.FALLBACK);
      return new Answer(body.toBuffer(), CachedRecs.Source.FALLBACK);
    })).recover(t -> Future.failedFuture(t instanceof ApiError ? t : mongoDown(userId, t)));
  }

  private Future<Set<Long>> seenItems(long userId) {
    return services.mongo().findWithOptions(Collections.INTERACTIONS, new JsonObject().put("userId", userId),
            new FindOptions().setFields(new JsonObject().put("itemId", 1).put("_id", 0)))
        .map(list -> {
          Set<Long> seen = new HashSet<>();
          list.forEach(d -> seen.add(d.getLong("itemId")));
          return seen;
        });
  }

  private Future<JsonObject> popularDoc() {
    Popular p = popular;
    long now = System.currentTimeMillis();
    if (p != null && now - p.loadedAt() < popularTtlMs && p.epoch() == epoch.get()) {
      return Future.succeededFuture(p.doc());
    }
    long readEpoch = epoch.get();
    JsonObject query = new JsonObject().put("userId", RecsKeys.POPULARITY_USER).put("algo", Algo.POPULARITY.id());
    return services.mongo().findOne(Collections.RECOMMENDATIONS, query, new JsonObject().put("_id", 0))
        .compose(doc -> doc != null ? Future.succeededFuture(doc) : countPopular())
        .onSuccess(doc -> popular = new Popular(doc, now, readEpoch));
  }

  /** Most-interacted items straight from the interactions, before any batch has stored a popularity list. */
  private Future<JsonObject> countPopular() {
    int topN = services.config().recs().topN();
    JsonArray pipeline = new JsonArray()
        .add(new JsonObject().put("$group", new JsonObject().put("_id", "$itemId").put("n", new JsonObject().put("$sum", 1))))
        .add(new JsonObject().put("$sort", new JsonObject().put("n", -1).put("_id", 1)))
        .add(new JsonObject().put("$limit", topN));
    return services.mongo().aggregate(Collections.INTERACTIONS, pipeline)
        .collect(java.util.stream.Collectors.toList())
        .map(rows -> {
          JsonArray items = new JsonArray();
          rows.forEach(d -> items.add(new JsonObject().put("itemId", d.getLong("_id")).put("score", d.getLong("n"))));
          return new JsonObject().put("algo", Algo.POPULARITY.id()).put("items", items).put("computedAt", null)
              .put("modelVersion", "live");
        });
  }
}
