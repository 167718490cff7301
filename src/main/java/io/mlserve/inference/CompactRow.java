package io.mlserve.inference;

import io.mlserve.covertype.CovertypeSchema;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * One row as parsed straight from the request bytes: the 12 schema fields in an array (a read-only {@code Map} view
 * for the validator and the encoder), plus the first field name the schema does not know. About a third of the cost
 * of a row-per-map JSON tree, which dominated large requests.
 */
final class CompactRow extends AbstractMap<String, Object> {
  static final List<String> FIELDS = CovertypeSchema.INPUT_FIELDS;
  private static final Map<String, Integer> INDEX = index();

  private final Object[] values = new Object[FIELDS.size()];
  private int presentMask;
  private String unknownField;
  private Object unknownValue;

  private static Map<String, Integer> index() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < FIELDS.size(); i++) {
      m.put(FIELDS.get(i), i);
    }
    return m;
  }

  /** Sets a field; a name outside the schema is remembered (the first one) for the validator to report. */
  void set(String name, Object value) {
    Integer i = INDEX.get(name);
    if (i == null) {
      if (unknownField == null) {
        unknownField = name;
        unknownValue = value;
      }
      return;
    }
    values[i] = value;
    presentMask |= 1 << i;
  }

  @Override
  public Object get(Object key) {
    Integer i = INDEX.get(key);
    if (i != null) {
      return values[i];
    }
    return key != null && key.equals(unknownField) ? unknownValue : null;
  }

  @Override
  public boolean containsKey(Object key) {
    Integer i = INDEX.get(key);
    if (i != null) {
      return (presentMask & (1 << i)) != 0;
    }
    return key != null && key.equals(unknownField);
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            int i = from;
            while (i < FIELDS.size() && (presentMask & (1 << i)) == 0) {
              i++;
            }
            return i;
          }

          @Override
          public boolean hasNext() {
            return next < FIELDS.size() || (next == FIELDS.size() && unknownField != null);
          }

          @Override
          public Entry<String, Object> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            if (next == FIELDS.size()) {
              next++;
              return new SimpleImmutableEntry<>(unknownField, unknownValue);
            }
            int i = next;
            next = advance(i + 1);
            return new SimpleImmutableEntry<>(FIELDS.get(i), values[i]);
          }
        };
      }

      @Override
      public int size() {
        return Integer.bitCount(presentMask) + (unknownField != null ? 1 : 0);
      }
    };
  }
}
