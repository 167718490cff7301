package io.mlserve.recommend.serving;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * One user's stored recommendations pre-encoded for the hot path: the response is the head bytes, the first k item
 * bytes and a source-specific tail, copied into one buffer. Nothing is re-encoded per request.
 */
public final class CachedRecs {
  public enum Source {
    NEAR, REDIS, MONGO, FALLBACK;

    public final String id = name().toLowerCase(java.util.Locale.ROOT);
    final byte[] tail = ("],\"source\":\"" + id + "\"}").getBytes(StandardCharsets.US_ASCII);
  }

  private final long userId;
  private final String algo;
  private final byte[] head;
  private final byte[] items;
  private final int[] itemEnds;

  private CachedRecs(long userId, String algo, byte[] head, byte[] items, int[] itemEnds) {
    this.userId = userId;
    this.algo = algo;
    this.head = head;
    this.items = items;
    this.itemEnds = itemEnds;
  }

  /**
   * From a stored document {userId, algo, items:[{itemId, score}], computedAt, modelVersion, basis?}; the response
   * reports {@code userId} as asked (the popularity fallback is stored under a pseudo user).
   */
  public static CachedRecs of(long userId, JsonObject doc) {
    JsonObject head = new JsonObject()
        .put("userId", userId)
        .put("algo", doc.getString("algo"))
        .put("computedAt", doc.getValue("computedAt"))
        .put("modelVersion", doc.getString("modelVersion"));
    if (doc.getString("basis") != null) {
      head.put("basis", doc.getString("basis"));
    }
    String h = head.encode();
    byte[] headBytes = (h.substring(0, h.length() - 1) + ",\"items\":[").getBytes(StandardCharsets.UTF_8);
    JsonArray arr = doc.getJsonArray("items", new JsonArray());
    StringBuilder sb = new StringBuilder(arr.size() * 32);
    int[] ends = new int[arr.size()];
    for (int i = 0; i < arr.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(arr.getJsonObject(i).encode());
      ends[i] = sb.length(); // ASCII only: numbers and field names
    }
    return new CachedRecs(userId, doc.getString("algo"), headBytes, sb.toString().getBytes(StandardCharsets.US_ASCII),
        ends);
  }

  public long userId() {
    return userId;
  }

  public String algo() {
    return algo;
  }

  public int size() {
    return itemEnds.length;
  }

  /** The response body with the first {@code k} items. */
  public Buffer render(int k, Source source) {
    int n = Math.min(k, itemEnds.length);
    int len = n == 0 ? 0 : itemEnds[n - 1];
    Buffer b = Buffer.buffer(head.length + len + source.tail.length);
    b.appendBytes(head).appendBytes(items, 0, len).appendBytes(source.tail);
    return b;
  }
}
