package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RowParserTest {
  private static List<Map<String, Object>> parse(String json, int max) {
    return RowParser.parse(json.getBytes(StandardCharsets.UTF_8), max);
  }

  private static ApiError error(String json, int max) {
    return catchThrowableOfType(ApiError.class, () -> parse(json, max));
  }

  @Test
  @DisplayName("rows parsed from bytes read like the JSON tree: same values, fields in schema order")
  void sameAsTree() {
    JsonObject row = new JsonObject(new java.util.LinkedHashMap<>(InferenceFixtures.EXAMPLE_ROW));
    List<Map<String, Object>> rows = parse(new JsonArray().add(row).add(row).encode(), 10);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).isEqualTo(InferenceFixtures.EXAMPLE_ROW);
    assertThat(rows.get(0).keySet()).containsExactlyElementsOf(CompactRow.FIELDS);
    assertThat(new JsonObject(rows.get(1)).encode()).isEqualTo(new JsonObject(
        new java.util.LinkedHashMap<>(rows.get(1))).encode());
  }

  @Test
  @DisplayName("a duplicate key is a 400 (ambiguous: parsers disagree on which wins); unknown and nested values are reported")
  void edgeCases() {
    String row = new JsonObject(new java.util.LinkedHashMap<>(InferenceFixtures.EXAMPLE_ROW)).encode();
    String dup = row.replace("{", "{\"Slope\":99,");
    ApiError duplicate = error(dup, 1);
    assertThat(duplicate.status()).isEqualTo(400);
    assertThat(duplicate.field()).isEqualTo("body");
    assertThat(duplicate.getMessage()).contains("Duplicate field 'Slope'");
    ApiError nested = error(row.replace("\"Slope\":3", "\"Slope\":[1,{\"a\":2}]"), 1);
    assertThat(nested.field()).isEqualTo("Slope");
    assertThat(nested.getMessage()).contains("an array");
    ApiError unknown = error(row.replace("{", "{\"colour\":{\"x\":[1]},"), 1);
    assertThat(unknown.field()).isEqualTo("colour");
  }

  @Test
  @DisplayName("an oversized array is refused with its size without keeping the rows; trailing garbage is a 400")
  void limitsAndSyntax() {
    String row = new JsonObject(new java.util.LinkedHashMap<>(InferenceFixtures.EXAMPLE_ROW)).encode();
    ApiError over = error("[" + String.join(",", java.util.Collections.nCopies(7, row)) + "]", 5);
    assertThat(over.status()).isEqualTo(422);
    assertThat(over.toJson().getInteger("rows")).isEqualTo(7);
    assertThat(error(row + " x", 1).status()).isEqualTo(400);
    assertThat(error("[" + row, 1).status()).isEqualTo(400);
    assertThat(error("", 1).status()).isEqualTo(400);
    assertThat(error("42", 1).status()).isEqualTo(422);
  }
}
