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
  private final byte[] head;
  private final byte[] items;
  private final int[] itemEnds;

  /** Holds only the first {@link #size()} items of a longer list (from a sliced read). */
  private final boolean partial;

  private CachedRecs(long userId, byte[] head, byte[] items, int[] itemEnds) {
    this(userId, head, items, itemEnds, false);
  }

  private CachedRecs(long userId, byte[] head, byte[] items, int[] itemEnds, boolean partial) {
    this.userId = userId;
    this.head = head;
    this.items = items;
    this.itemEnds = itemEnds;
    this.partial = partial;
  }

  /** The same items, marked as the head of a longer list: it answers only requests for at most {@link #size()}. */
  public CachedRecs partial() {
    return new CachedRecs(userId, head, items, itemEnds, true);
  }

  /** Whether this entry can answer a request for {@code k} items. */
  public boolean covers(int k) {
    return !partial || k <= itemEnds.length;
  }

  private static final byte[] ITEMS = "\"items\":[".getBytes(StandardCharsets.US_ASCII);

  /**
   * From stored JSON bytes (Redis). The recommender writes documents with {@code items} last and flat item objects,
   * so the response is a prefix of the stored bytes: the item boundaries are found by a byte scan, without parsing.
   * Anything else (another writer's layout) goes through {@link #of(long, JsonObject)}.
   */
  public static CachedRecs ofStored(long userId, Buffer stored) {
    byte[] raw = stored.getBytes();
    String expectedStart = "{\"userId\":" + userId + ",";
    int at = indexOf(raw, ITEMS);
    boolean layout = at > 0 && raw.length > expectedStart.length()
        && new String(raw, 0, expectedStart.length(), StandardCharsets.US_ASCII).equals(expectedStart)
        && raw[raw.length - 1] == '}' && raw[raw.length - 2] == ']';
    if (layout) {
      int start = at + ITEMS.length;
      int[] ends = new int[16];
      int n = 0;
      boolean ok = true;
      for (int i = start; i < raw.length - 2; i++) {
        byte b = raw[i];
        if (b == '{' && i > start && raw[i - 1] != ',') {
          ok = false; // nested or unexpected structure
          break;
        }
        if (b == '}') {
          if (n == ends.length) {
            ends = java.util.Arrays.copyOf(ends, n * 2);
          }
          ends[n++] = i + 1 - start;
        }
      }
      if (ok) {
        byte[] head = java.util.Arrays.copyOfRange(raw, 0, start);
        byte[] items = java.util.Arrays.copyOfRange(raw, start, raw.length - 2);
        return new CachedRecs(userId, head, items, java.util.Arrays.copyOf(ends, n));
      }
    }
    return of(userId, new JsonObject(stored));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
    return new CachedRecs(userId, headBytes, sb.toString().getBytes(StandardCharsets.US_ASCII),
        ends);
  }

  public long userId() {
    return userId;
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
