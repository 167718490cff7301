package io.mlserve.bus;

import io.mlserve.common.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Event-bus request/reply with a timeout, and the one mapping from event-bus failures to {@link ApiError}s that every
 * route uses: no consumer → 503, timeout → 504, a consumer's own {@code ApiError} → its status and body, anything
 * else → 500 without internals.
 */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  private Bus() {
  }

  /** Sends {@code body} to {@code address} and returns the JSON reply, failing with an {@link ApiError}. */
  public static Future<JsonObject> request(Vertx vertx, String address, JsonObject body, long timeoutMs) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(timeoutMs);
    return vertx.eventBus().<JsonObject>request(address, body, opts)
        .map(Message::body)
        .recover(t -> Future.failedFuture(toApiError(address, t)));
  }

  /** Maps an event-bus failure to what the HTTP client sees. */
  public static ApiError toApiError(String address, Throwable t) {
    if (t instanceof ApiError e) {
      return e;
    }
    if (t instanceof ReplyException re) {
      ReplyFailure kind = re.failureType();
      if (kind == ReplyFailure.NO_HANDLERS) {
        return ApiError.unavailable("no instance serving '" + address + "' is reachable; start the role that owns it")
            .with("address", address);
      }
      if (kind == ReplyFailure.TIMEOUT) {
        return new ApiError(504, "timeout", "'" + address + "' did not answer in time").with("address", address);
      }
      int code = re.failureCode();
      if (code >= 400 && code < 600) {
        try {
          return ApiError.fromJson(code, new JsonObject(re.getMessage()));
        } catch (DecodeException | NullPointerException e) {
          return new ApiError(code, code >= 500 ? "internal error" : "error", re.getMessage());
        }
      }
    }
    LOG.error("unexpected failure on {}", address, t);
    return new ApiError(500, "internal error", "the request failed inside the service; see its logs");
  }

  /**
   * Registers a JSON request/reply consumer whose handler returns a future. Failures become
   * {@code message.fail(status, errorJson)} so {@link #toApiError} restores them on the caller's side.
   */
  public static void consume(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumeObjects(vertx, address, body -> handler.apply(body == null ? new JsonObject() : (JsonObject) body));
  }

  /**
   * Like {@link #consume}, for bodies and replies of any type the event bus can carry (bytes, objects with a codec):
   * the handler gets the body as sent and the reply is whatever its future gives.
   */
  public static void consumeObjects(Vertx vertx, String address, Function<Object, Future<?>> handler) {
    vertx.eventBus().<Object>consumer(address, msg -> {
      Future<?> result;
      try {
        result = handler.apply(msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          fail(msg, address, ar.cause());
        }
      });
    });
  }

  public static void fail(Message<?> msg, String address, Throwable cause) {
    if (cause instanceof ApiError e) {
      msg.fail(e.status(), e.toJson().encode());
    } else if (cause instanceof ReplyException) {
      ApiError e = toApiError(address, cause);
      msg.fail(e.status(), e.toJson().encode());
    } else {
      LOG.error("consumer of {} failed", address, cause);
      msg.fail(500, new ApiError(500, "internal error", "the request failed inside the service; see its logs")
          .toJson().encode());
    }
  }
}
