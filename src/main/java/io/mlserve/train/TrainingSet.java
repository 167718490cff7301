package io.mlserve.train;

import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.covertype.RowValidator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Covertype rows encoded for training: a row-major float matrix ({@link FeatureEncoding}), the class index of each
 * row, and a fingerprint of the data. Rows are put in a canonical order (by row hash) so the stratified split, and
 * therefore every metric, depends on the data and the seed only, not on the order MongoDB returned the rows in.
 *
 * <p>The data hash is order-independent: the sum (mod 2^64) of 64-bit hashes of each row's 13 fields, so the same
 * multiset of rows always gives the same hash, whatever bookkeeping fields the loader added.
 */
public final class TrainingSet {
  private final FeatureEncoding encoding;
  private final long[] classLabels;
  private final float[] x;
  private final int[] y;
  private final int rows;
  private final String dataHash;

  private TrainingSet(FeatureEncoding encoding, long[] classLabels, float[] x, int[] y, int rows, String dataHash) {
    this.encoding = encoding;
    this.classLabels = classLabels;
    this.x = x;
    this.y = y;
    this.rows = rows;
    this.dataHash = dataHash;
  }

  public FeatureEncoding encoding() {
    return encoding;
  }

  public int columns() {
    return encoding.width();
  }

  public long[] classLabels() {
    return classLabels.clone();
  }

  public int rows() {
    return rows;
  }

  /** Row-major encoded features, {@code rows() * columns()}; shared, do not modify. */
  public float[] x() {
    return x;
  }

  /** Class index per row; shared, do not modify. */
  public int[] y() {
    return y;
  }

  public String dataHash() {
    return dataHash;
  }

  /** The rows at {@code indexes}, in that order, as a row-major matrix. */
  public float[] rowsOf(int[] indexes) {
    int w = columns();
    float[] out = new float[indexes.length * w];
    for (int i = 0; i < indexes.length; i++) {
      System.arraycopy(x, indexes[i] * w, out, i * w, w);
    }
    return out;
  }

  public int[] labelsOf(int[] indexes) {
    int[] out = new int[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      out[i] = y[indexes[i]];
    }
    return out;
  }

  /** Accumulates validated rows; invalid rows are counted (with the first reasons) and left out. */
  public static final class Builder {
    private final FeatureEncoding encoding;
    private final long[] classLabels = CovertypeSchema.CLASSES.stream().mapToLong(Integer::longValue).toArray();
    private float[] x;
    private int[] y;
    private long[] hashes;
    private int rows;
    private long invalid;
    private String firstProblem;

    public Builder(FeatureEncoding encoding) {
      this(encoding, 1024);
    }

    public Builder(FeatureEncoding encoding, int expectedRows) {
      this.encoding = encoding;
      int cap = Math.max(16, expectedRows);
      this.x = new float[cap * encoding.width()];
      this.y = new int[cap];
      this.hashes = new long[cap];
    }

    /**
     * Adds one row of named fields; fields other than the 12 inputs and {@code Cover_Type} (ids, batch numbers) are
     * ignored. Returns false (and counts it) when the row is invalid.
     */
    public boolean add(Map<String, Object> row) {
      Map<String, Object> fields = new java.util.HashMap<>(16);
      for (String f : CovertypeSchema.INPUT_FIELDS) {
        if (row.containsKey(f)) {
          fields.put(f, row.get(f));
        }
      }
      if (row.containsKey(CovertypeSchema.LABEL)) {
        fields.put(CovertypeSchema.LABEL, row.get(CovertypeSchema.LABEL));
      }
      RowValidator.Problem problem = RowValidator.validate(fields, true);
      if (problem != null) {
        invalid++;
        if (firstProblem == null) {
          firstProblem = problem.reason();
        }
        return false;
      }
      if (rows == y.length) {
        int cap = rows * 2;
        x = Arrays.copyOf(x, cap * encoding.width());
        y = Arrays.copyOf(y, cap);
        hashes = Arrays.copyOf(hashes, cap);
      }
      encoding.encode(fields, x, rows * encoding.width());
      y[rows] = ((Number) fields.get(CovertypeSchema.LABEL)).intValue() - 1;
      hashes[rows] = rowHash(fields);
      rows++;
      return true;
    }

    public int rows() {
      return rows;
    }

    public long invalid() {
      return invalid;
    }

    public String firstProblem() {
      return firstProblem;
    }

    /** The set in canonical order (ascending row hash, ties by features), with its data hash. */
    public TrainingSet build() {
      int w = encoding.width();
      Integer[] order = new Integer[rows];
      for (int i = 0; i < rows; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> {
        int c = Long.compareUnsigned(hashes[a], hashes[b]);
        return c != 0 ? c : Arrays.compare(x, a * w, a * w + w, x, b * w, b * w + w);
      });
      float[] sx = new float[rows * w];
      int[] sy = new int[rows];
      long sum = 0;
      for (int i = 0; i < rows; i++) {
        int r = order[i];
        System.arraycopy(x, r * w, sx, i * w, w);
        sy[i] = y[r];
        sum += hashes[r];
      }
      String hash = "sum64:" + HexFormat.of().toHexDigits(sum);
      return new TrainingSet(encoding, classLabels, sx, sy, rows, hash);
    }
  }

  /** 64-bit hash of a row's fields in schema order (FNV-1a over the text, then a SplitMix64 finalizer). */
  static long rowHash(Map<String, Object> fields) {
    long h = 0xcbf29ce484222325L;
    for (String f : fieldsInOrder()) {
      Object v = fields.get(f);
      String s = v instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(v);
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
      h ^= '|';
      h *= 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
    return h ^ (h >>> 31);
  }

  private static final List<String> HASHED = java.util.stream.Stream.concat(CovertypeSchema.INPUT_FIELDS.stream(),
      java.util.stream.Stream.of(CovertypeSchema.LABEL)).toList();

  private static List<String> fieldsInOrder() {
    return HASHED;
  }
}
