package io.mlserve.recommend;

import io.mlserve.recommend.serving.CachedRecs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CachedRecsTest {
  private static JsonObject stored(boolean itemsLast) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 12; i++) {
      items.add(new JsonObject().put("itemId", 100 + i).put("score", 1.0 / (i + 1)));
    }
    JsonObject d = new JsonObject().put("userId", 5).put("algo", "item");
    if (!itemsLast) {
      d.put("items", items);
    }
    d.put("computedAt", "2026-01-01T00:00:00Z").put("modelVersion", "v9").put("basis", "popularity");
    return itemsLast ? d.put("items", items) : d;
  }

  @Test
  @DisplayName("stored bytes with items last are served by prefix and equal the parsed rendering, for every k")
  void fastPathMatchesParsed() {
    JsonObject doc = stored(true);
    CachedRecs fast = CachedRecs.ofStored(5, doc.toBuffer());
    CachedRecs parsed = CachedRecs.of(5, doc);
    for (int k = 1; k <= 15; k++) {
      JsonObject a = fast.render(k, CachedRecs.Source.REDIS).toJsonObject();
      JsonObject b = parsed.render(k, CachedRecs.Source.REDIS).toJsonObject();
      assertThat(a).isEqualTo(b);
      assertThat(a.getJsonArray("items")).hasSize(Math.min(k, 12));
      assertThat(a.getString("source")).isEqualTo("redis");
      assertThat(a.getString("basis")).isEqualTo("popularity");
    }
  }

  @Test
  @DisplayName("another layout (items not last) is parsed instead, with the same answer")
  void otherLayout() {
    Buffer b = stored(false).toBuffer();
    JsonObject r = CachedRecs.ofStored(5, b).render(3, CachedRecs.Source.NEAR).toJsonObject();
    assertThat(r.getJsonArray("items")).hasSize(3);
    assertThat(r.getJsonArray("items").getJsonObject(0).getInteger("itemId")).isEqualTo(100);
    assertThat(r.getLong("userId")).isEqualTo(5L);
    assertThat(r.getString("source")).isEqualTo("near");
  }

  @Test
  @DisplayName("a partial entry (a sliced read) answers up to its size only; a whole one answers every k")
  void partialCoversItsSizeOnly() {
    CachedRecs whole = CachedRecs.ofStored(5, stored(true).toBuffer());
    CachedRecs head = whole.partial();
    assertThat(head.covers(12)).isTrue();
    assertThat(head.covers(13)).isFalse();
    assertThat(whole.covers(100)).isTrue();
    assertThat(head.render(12, CachedRecs.Source.NEAR)).isEqualTo(whole.render(12, CachedRecs.Source.NEAR));
  }
}
