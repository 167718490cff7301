package io.mlserve.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * An event-bus codec for a message class that is immutable once sent: within one process the object itself is
 * delivered (no copy); between processes it travels as length-prefixed JSON.
 *
 * @param <T> the message class
 */
public abstract class ByReferenceCodec<T> implements MessageCodec<T, T> {
  private final String name;

  protected ByReferenceCodec(String name) {
    this.name = name;
  }

  /** Registers {@code codec} as the default codec of {@code type} on this Vert.x instance, once. */
  public static <T> void register(Vertx vertx, Class<T> type, ByReferenceCodec<T> codec) {
    try {
      vertx.eventBus().registerDefaultCodec(type, codec);
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle (or verticle instance) of this process did it
    }
  }

  /** The message as JSON, for another process. */
  protected abstract JsonObject toJson(T message);

  /** The message another process sent. */
  protected abstract T fromJson(JsonObject json);

  @Override
  public void encodeToWire(Buffer buffer, T message) {
    Buffer json = toJson(message).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson(new JsonObject(buffer.slice(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T message) {
    return message;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
