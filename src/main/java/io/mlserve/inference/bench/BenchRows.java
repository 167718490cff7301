package io.mlserve.inference.bench;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.train.CovertypeCsv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The rows {@code bench predict} sends: real Covertype rows from a CSV when one is there, else the generator's.
 *
 * <p>Which rows matters for a forest: one trained on the real data walks real rows down longer paths than the
 * generator's (measured on the forest {@code train} makes from covertype-15k, ONNX Runtime alone: 33.3 against 26.5 us
 * per 1-row run, 18.3 against 14.6 us per row in runs of 64). Real rows are what a served model gets.
 *
 * @param rows   the 12 input fields of each row (no label), in a seeded random order
 * @param source what they are, for the report
 */
record BenchRows(List<Map<String, Object>> rows, String source) {
  /** Where the repository's layout puts the real sample ({@code ../shared} beside the checkout). */
  static final String DEFAULT_CSV = "../shared/data/covertype/covertype-15k.csv";

  /**
   * {@code spec} is "synthetic", or a CSV path; the default CSV falls back to synthetic rows where it is missing, an
   * explicit path must exist.
   */
  static BenchRows load(String spec, int count) throws IOException {
    return load(spec, count, DEFAULT_CSV);
  }

  /** {@link #load(String, int)} with another default CSV (tests). */
  static BenchRows load(String spec, int count, String defaultCsv) throws IOException {
    if (spec.equals("synthetic")) {
      return synthetic(count, "synthetic (CovertypeGenerator, seed 42)");
    }
    Path csv = Path.of(spec);
    if (spec.equals(defaultCsv) && !Files.isRegularFile(csv)) {
      return synthetic(count, "synthetic (CovertypeGenerator, seed 42; " + defaultCsv + " is not available)");
    }
    return fromCsv(csv, count);
  }

  private static BenchRows synthetic(int count, String source) {
    return new BenchRows(new CovertypeGenerator(42).rows(count).stream().map(BenchRows::inputs).toList(), source);
  }

  /**
   * {@code count} rows of the file, shuffled with a fixed seed so any prefix mixes the classes (a file with fewer rows
   * is repeated).
   */
  static BenchRows fromCsv(Path csv, int count) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new IOException("--rows: " + csv + " is not a file (give a Covertype CSV, or synthetic)");
    }
    List<Map<String, Object>> all = new ArrayList<>();
    CovertypeCsv.read(csv, row -> all.add(inputs(row)));
    if (all.isEmpty()) {
      throw new IOException("--rows: " + csv + " has no data lines");
    }
    Collections.shuffle(all, new Random(42));
    List<Map<String, Object>> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(all.get(i % all.size()));
    }
    return new BenchRows(List.copyOf(rows), "real, " + Math.min(count, all.size()) + " different rows of the "
        + all.size() + " in " + csv);
  }

  /** The input fields in the schema's order, as a client sends them. */
  private static Map<String, Object> inputs(Map<String, Object> row) {
    Map<String, Object> in = new LinkedHashMap<>();
    for (String f : CovertypeSchema.INPUT_FIELDS) {
      in.put(f, row.get(f));
    }
    return in;
  }
}
