package io.mlserve.feed;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.CovertypeSchema;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rows the feed serves, in source order, with a fingerprint of the source content. A CSV file (the real sample's
 * format) or the seeded synthetic generator, which is rendered to the same CSV text so both take one parsing path.
 *
 * <p>Values are typed by the schema, not guessed: numeric columns become integers (or a decimal / the raw text when
 * they are not integers), category columns stay text, an empty cell is a missing field. Nothing is validated here:
 * the feed serves the source as it is and the batch feeder quarantines what is wrong, naming the reason.
 */
public final class FeedSource {
  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  private final String kind;
  private final String description;
  private final String fingerprint;
  private final List<Map<String, Object>> rows;

  private FeedSource(String kind, String description, String fingerprint, List<Map<String, Object>> rows) {
    this.kind = kind;
    this.description = description;
    this.fingerprint = fingerprint;
    this.rows = rows;
  }

  /** Reads a CSV file with a header naming the 12 input columns and {@code Cover_Type}. */
  public static FeedSource csv(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return parse("csv", file.toString(), bytes);
  }

  /** {@code rows} synthetic rows from {@link CovertypeGenerator} with {@code seed}: the same seed, the same rows. */
  public static FeedSource synthetic(long seed, int rows) {
    var out = new java.io.ByteArrayOutputStream(rows * 80 + 256);
    try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      new CovertypeGenerator(seed).writeCsv(w, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parse("synthetic", "synthetic generator, seed " + seed + ", " + rows + " rows", out.toByteArray());
  }

  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
      .setIgnoreEmptyLines(true).setTrim(true).get();

  /** Reads only the header of {@code file}: fails when it cannot be read or lacks a schema column. */
  public static void checkCsvHeader(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
         CSVParser parser = CSVParser.parse(reader, FORMAT)) {
      checkHeader(file.toString(), parser.getHeaderNames());
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      throw new IllegalArgumentException(file + ": cannot read the CSV header: " + e.getMessage(), e);
    }
  }

  private static void checkHeader(String description, List<String> header) {
    List<String> required = new ArrayList<>(CovertypeSchema.INPUT_FIELDS);
    required.add(CovertypeSchema.LABEL);
    List<String> missing = required.stream().filter(c -> !header.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(description + ": the CSV header lacks " + String.join(", ", missing)
          + "; expected the columns " + String.join(",", required));
    }
  }

  static FeedSource parse(String kind, String description, byte[] csv) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Reader reader = new InputStreamReader(new ByteArrayInputStream(csv), StandardCharsets.UTF_8);
         CSVParser parser = CSVParser.parse(reader, FORMAT)) {
      List<String> header = parser.getHeaderNames();
      checkHeader(description, header);
      for (CSVRecord record : parser) {
        rows.add(typed(header, record));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(description + ": cannot read the CSV", e);
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new IllegalArgumentException(description + ": malformed CSV: " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(description + ": the CSV has no data rows");
    }
    return new FeedSource(kind, description, "sha256:" + sha256(csv), List.copyOf(rows));
  }

  private static Map<String, Object> typed(List<String> header, CSVRecord record) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < header.size() && i < record.size(); i++) {
      String column = header.get(i);
      String text = record.get(i);
      if (text == null || text.isEmpty()) {
        continue; // an empty cell is a missing field
      }
      boolean numeric = CovertypeSchema.NUMERIC.containsKey(column) || column.equals(CovertypeSchema.LABEL);
      row.put(column, numeric ? number(text) : text);
    }
    return row;
  }

  /** An integer when the text is one, a decimal when it is one, else the text (the validator names the problem). */
  static Object number(String text) {
    if (INTEGER.matcher(text).matches()) {
      long v = Long.parseLong(text);
      return v == (int) v ? (Object) (int) v : (Object) v;
    }
    if (DECIMAL.matcher(text).matches()) {
      return Double.parseDouble(text);
    }
    return text;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code csv} or {@code synthetic}. */
  public String kind() {
    return kind;
  }

  public String description() {
    return description;
  }

  /** {@code sha256:<hex>} of the source's CSV bytes: the same data always has the same fingerprint. */
  public String fingerprint() {
    return fingerprint;
  }

  public int size() {
    return rows.size();
  }

  /** Rows in source order; each map is field → value, unvalidated. */
  public List<Map<String, Object>> rows() {
    return rows;
  }
}
