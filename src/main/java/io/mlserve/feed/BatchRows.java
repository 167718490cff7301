package io.mlserve.feed;

import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.covertype.RowValidator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one feed batch into the documents the batch feeder writes: valid rows as {@code covertype} documents, the
 * others as quarantine entries with the validator's reason.
 *
 * <p>Row key: {@code <first 16 hex digits of the source fingerprint>:<row position in the source>}. It is the
 * document {@code _id}, so upserts hit the one index every collection has. Keying by position, not by a hash of the
 * content, keeps identical rows (the real data has some) as separate rows: "rows stored = rows in the source" holds
 * after any number of reruns, restarts or retries, and re-splitting the same source into a different number of
 * batches maps every row to the same key.
 */
public final class BatchRows {
  /** One invalid row: where it came from, what it was and why it was refused. */
  public record Quarantined(String key, long row, Object data, String field, String reason, List<String> allowed) {
  }

  /** The valid documents (with {@code _id}) and the quarantined rows of one batch. */
  public record Prepared(int batch, List<Map<String, Object>> valid, List<Quarantined> quarantined) {
    public int rows() {
      return valid.size() + quarantined.size();
    }
  }

  private static final int DOCUMENT_CAPACITY = 32;

  private BatchRows() {
  }

  public static String sourceKey(String fingerprint) {
    String hex = fingerprint.startsWith("sha256:") ? fingerprint.substring(7) : fingerprint;
    return hex.length() > 16 ? hex.substring(0, 16) : hex;
  }

  public static String rowKey(String fingerprint, long row) {
    return rowKeyPrefix(sourceKey(fingerprint)) + row;
  }

  /** What every row key of a source starts with; the row's position follows. */
  private static String rowKeyPrefix(String sourceKey) {
    return sourceKey + ":";
  }

  /**
   * @param fingerprint the source's fingerprint (from the feed)
   * @param batch       the batch number (stored for reference only; the key does not depend on it)
   * @param firstRow    position in the source of the batch's first row
   * @param rows        the batch's rows as decoded from JSON: maps for objects, anything else is quarantined
   */
  public static Prepared prepare(String fingerprint, int batch, long firstRow, List<?> rows) {
    List<Map<String, Object>> valid = new ArrayList<>(rows.size());
    List<Quarantined> quarantined = new ArrayList<>();
    String source = sourceKey(fingerprint);
    String keyPrefix = rowKeyPrefix(source); // once per batch, not per row
    for (int i = 0; i < rows.size(); i++) {
      long position = firstRow + i;
      String key = keyPrefix + position;
      Object value = rows.get(i);
      if (!(value instanceof Map<?, ?> raw)) {
        quarantined.add(new Quarantined(key, position, value, null,
            "a row must be a JSON object, got " + (value == null ? "null" : value.getClass().getSimpleName()), null));
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> row = (Map<String, Object>) raw;
      RowValidator.Problem problem = RowValidator.validate(row, true);
      if (problem != null) {
        quarantined.add(new Quarantined(key, position, row, problem.field(), problem.reason(), problem.allowed()));
        continue;
      }
      valid.add(document(key, source, batch, position, row));
    }
    return new Prepared(batch, valid, quarantined);
  }

  /** The stored form of a valid row: key and provenance, then the fields in schema order as plain integers. */
  static Map<String, Object> document(String key, String source, int batch, long position,
                                      Map<String, Object> row) {
    // sized for the 17 fields up front: the default capacity resized once per row (1.5% of a load's allocations)
    Map<String, Object> doc = new LinkedHashMap<>(DOCUMENT_CAPACITY);
    doc.put("_id", key);
    doc.put("source", source);
    doc.put("row", position);
    doc.put("batch", batch);
    for (String field : CovertypeSchema.NUMERIC.keySet()) {
      doc.put(field, ((Number) row.get(field)).intValue());
    }
    doc.put(CovertypeSchema.WILDERNESS, row.get(CovertypeSchema.WILDERNESS));
    doc.put(CovertypeSchema.SOIL, row.get(CovertypeSchema.SOIL));
    doc.put(CovertypeSchema.LABEL, ((Number) row.get(CovertypeSchema.LABEL)).intValue());
    return doc;
  }
}
