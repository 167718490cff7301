package io.mlserve.covertype;

import java.util.Map;

/**
 * Checks one Covertype row against {@link CovertypeSchema}: every field present, no extra field, integers that are
 * finite and within physical range, known categories. Used by the feeder (bad rows go to quarantine) and by
 * {@code /predict} (422 naming the field). Returns the first problem, or null when the row is valid.
 */
public final class RowValidator {
  private RowValidator() {
  }

  /** A problem with one field; {@code allowed} lists the valid categories when that is the issue. */
  public record Problem(String field, String reason, java.util.List<String> allowed) {
    Problem(String field, String reason) {
      this(field, reason, null);
    }
  }

  /**
   * @param row           field name → JSON value (numbers, strings, ...)
   * @param requireLabel  whether {@code Cover_Type} must be present (feed rows) or must be absent (predict rows)
   */
  public static Problem validate(Map<String, Object> row, boolean requireLabel) {
    for (String field : row.keySet()) {
      if (!CovertypeSchema.INPUT_FIELD_SET.contains(field)
          && !(requireLabel && field.equals(CovertypeSchema.LABEL))) {
        return new Problem(field, "unknown field '" + field + "'; expected exactly: "
            + String.join(", ", CovertypeSchema.INPUT_FIELDS) + (requireLabel ? ", " + CovertypeSchema.LABEL : ""));
      }
    }
    for (Map.Entry<String, CovertypeSchema.Range> e : CovertypeSchema.NUMERIC.entrySet()) {
      Problem p = checkInteger(e.getKey(), row.get(e.getKey()), row.containsKey(e.getKey()), e.getValue());
      if (p != null) {
        return p;
      }
    }
    for (String field : new String[] {CovertypeSchema.WILDERNESS, CovertypeSchema.SOIL}) {
      Object v = row.get(field);
      if (!row.containsKey(field)) {
        return new Problem(field, "missing field " + field);
      }
      if (!(v instanceof String s)) {
        return new Problem(field, field + " must be a string, got " + typeName(v));
      }
      if (!CovertypeSchema.categories(field).contains(s)) {
        return new Problem(field, "unknown " + field + " '" + abbreviate(s) + "'", CovertypeSchema.categories(field));
      }
    }
    if (requireLabel) {
      return checkInteger(CovertypeSchema.LABEL, row.get(CovertypeSchema.LABEL),
          row.containsKey(CovertypeSchema.LABEL), new CovertypeSchema.Range(1, 7));
    }
    return null;
  }

  private static Problem checkInteger(String field, Object v, boolean present, CovertypeSchema.Range range) {
    if (!present) {
      return new Problem(field, "missing field " + field);
    }
    if (!(v instanceof Number n)) {
      return new Problem(field, field + " must be an integer, got " + typeName(v));
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d)) {
      return new Problem(field, field + " must be a finite number");
    }
    if (d != Math.rint(d)) {
      return new Problem(field, field + " must be an integer, got " + n);
    }
    if (d < range.min() || d > range.max()) {
      return new Problem(field, field + " must be between " + range.min() + " and " + range.max() + ", got " + n);
    }
    return null;
  }

  static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Number) {
      return "a number";
    }
    if (v instanceof Map || v.getClass().getSimpleName().equals("JsonObject")) {
      return "an object";
    }
    return "an array";
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
