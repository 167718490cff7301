package io.mlserve.inference;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.mlserve.common.ApiError;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code POST /predict} body (one row object or an array of them) from its bytes with a streaming JSON
 * parser into {@link CompactRow}s, then validates them with {@link PredictRequest} (same 422s as everywhere). Stops
 * at the row limit instead of parsing an oversized array. Malformed JSON is a 400.
 */
final class RowParser {
  // a repeated field is ambiguous (which value counts depends on the parser): refuse it
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private RowParser() {
  }

  static List<Map<String, Object>> parse(byte[] body, int maxRows) {
    if (body.length == 0) {
      throw ApiError.badRequest("body", "request body is empty; send a JSON document");
    }
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken t = p.nextToken();
      Object parsed;
      if (t == JsonToken.START_OBJECT) {
        parsed = row(p);
      } else if (t == JsonToken.START_ARRAY) {
        List<Object> rows = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (rows.size() == maxRows) { // over the limit: count the rest without keeping it
            int n = rows.size();
            do {
              p.skipChildren();
              n++;
            } while (p.nextToken() != JsonToken.END_ARRAY);
            throw ApiError.unprocessable("body", "at most " + maxRows + " rows per request"
                + " (inference.maxRowsPerRequest), got " + n + "; split the array").with("limit", maxRows)
                .with("rows", n);
          }
          rows.add(t == JsonToken.START_OBJECT ? row(p) : scalar(p, t));
        }
        parsed = rows;
      } else {
        parsed = scalar(p, t);
      }
      if (p.nextToken() != null) {
        throw ApiError.badRequest("body", "malformed JSON: unexpected content after the document");
      }
      return PredictRequest.rows(parsed, maxRows);
    } catch (JsonProcessingException e) {
      String first = e.getOriginalMessage() == null ? "cannot parse" : e.getOriginalMessage().split("\n", 2)[0];
      throw ApiError.badRequest("body", "malformed JSON: " + (first.length() > 300 ? first.substring(0, 300) : first));
    } catch (IOException e) {
      throw ApiError.badRequest("body", "cannot read the body: " + e.getMessage());
    }
  }

  private static CompactRow row(JsonParser p) throws IOException {
    CompactRow row = new CompactRow();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      row.set(name, scalar(p, v));
    }
    return row;
  }

  /** A value as the validator sees it; nested objects and arrays only need to be recognisable as such. */
  private static Object scalar(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_STRING -> p.getText();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_OBJECT -> {
        p.skipChildren();
        yield Map.of();
      }
      case START_ARRAY -> {
        p.skipChildren();
        yield List.of();
      }
      default -> throw ApiError.badRequest("body", "malformed JSON at " + t);
    };
  }
}
