package io.mlserve.store;

import io.mlserve.config.MlserveConfig.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis through vertx-redis-client, with the configured key prefix applied to every key.
 *
 * <p>The client pools connections and opens new ones on demand, so it reconnects by itself when Redis returns.
 * While Redis is failing, commands fail fast for a short back-off window instead of each request paying a connect
 * timeout; the first command after the window probes again.
 */
public final class RedisStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
  private static final long BACKOFF_MS = 500;

  private final Redis client;
  private final String prefix;
  private final long commandTimeoutMs;
  private final AtomicLong downUntil = new AtomicLong();
  private final AtomicBoolean up = new AtomicBoolean(true);

  public RedisStore(Vertx vertx, RedisConfig cfg) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(cfg.url())
        .setMaxPoolSize(cfg.maxPoolSize())
        .setMaxPoolWaiting(cfg.maxWaitingHandlers())
        .setMaxWaitingHandlers(cfg.maxWaitingHandlers())
        .setPoolRecycleTimeout(15_000)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) cfg.connectTimeoutMs())
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    this.client = Redis.createClient(vertx, options);
    this.prefix = cfg.prefix();
    this.commandTimeoutMs = cfg.commandTimeoutMs();
  }

  public String prefix() {
    return prefix;
  }

  /** The full Redis key for a logical key. */
  public String key(String logicalKey) {
    return prefix + logicalKey;
  }

  /** Whether the last command succeeded (false while Redis is failing). */
  public boolean isUp() {
    return up.get();
  }

  public Future<Response> send(Request request) {
    if (System.currentTimeMillis() < downUntil.get()) {
      return Future.failedFuture(new RedisUnavailableException("Redis is unreachable (retrying shortly)"));
    }
    return track(client.send(request).timeout(commandTimeoutMs, TimeUnit.MILLISECONDS));
  }

  /** Sends commands in one pipelined round trip. */
  public Future<List<Response>> batch(List<Request> requests) {
    if (requests.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (System.currentTimeMillis() < downUntil.get()) {
      return Future.failedFuture(new RedisUnavailableException("Redis is unreachable (retrying shortly)"));
    }
    return track(client.batch(requests).timeout(commandTimeoutMs * 4, TimeUnit.MILLISECONDS));
  }

  private <T> Future<T> track(Future<T> f) {
    return f.andThen(ar -> {
      if (ar.succeeded()) {
        if (up.compareAndSet(false, true)) {
          LOG.info("Redis is reachable again");
        }
        downUntil.set(0);
      } else if (!(ar.cause() instanceof RedisUnavailableException)) {
        if (up.compareAndSet(true, false)) {
          LOG.warn("Redis command failed, serving without Redis until it returns: {}", ar.cause().toString());
        }
        downUntil.set(System.currentTimeMillis() + BACKOFF_MS);
      }
    });
  }

  /** GET of a logical key; null when absent. */
  public Future<String> get(String logicalKey) {
    return send(Request.cmd(Command.GET).arg(key(logicalKey)))
        .map(r -> r == null ? null : r.toString());
  }

  public Future<Void> setex(String logicalKey, long ttlSeconds, String value) {
    return send(Request.cmd(Command.SETEX).arg(key(logicalKey)).arg(ttlSeconds).arg(value)).mapEmpty();
  }

  public Future<Void> del(List<String> logicalKeys) {
    if (logicalKeys.isEmpty()) {
      return Future.succeededFuture();
    }
    Request del = Request.cmd(Command.DEL);
    logicalKeys.forEach(k -> del.arg(key(k)));
    return send(del).mapEmpty();
  }

  /** PING, bypassing the back-off window so health checks always see the truth. */
  public Future<Void> ping() {
    return track(client.send(Request.cmd(Command.PING)).timeout(commandTimeoutMs, TimeUnit.MILLISECONDS))
        .mapEmpty();
  }

  /** Deletes every key under this store's prefix (tests and admin tooling; uses SCAN, never KEYS). */
  public Future<Long> deleteAllWithPrefix() {
    return scanDelete("0", 0L);
  }

  private Future<Long> scanDelete(String cursor, long deleted) {
    return send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000))
        .compose(r -> {
          String next = r.get(0).toString();
          List<String> keys = new ArrayList<>();
          r.get(1).forEach(k -> keys.add(k.toString()));
          Future<Void> del = Future.succeededFuture();
          if (!keys.isEmpty()) {
            Request req = Request.cmd(Command.DEL);
            keys.forEach(req::arg);
            del = send(req).mapEmpty();
          }
          long total = deleted + keys.size();
          return del.compose(v -> "0".equals(next) ? Future.succeededFuture(total) : scanDelete(next, total));
        });
  }

  public Future<Void> close() {
    return client.close();
  }

  /** Thrown while Redis is known to be down; callers treat it like any cache miss. */
  public static final class RedisUnavailableException extends RuntimeException {
    public RedisUnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
