package io.mlserve.train;

import io.mlserve.covertype.CovertypeSchema;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a Covertype CSV with a header naming the 12 input fields and {@code Cover_Type} (the form of
 * {@code ../shared/data/covertype} and of {@link io.mlserve.covertype.CovertypeGenerator#writeCsv}) into rows of
 * named fields. Integer-looking cells become numbers and everything else stays text, so the row validator decides
 * what is wrong with a row, exactly as for rows from the feed.
 */
public final class CovertypeCsv {
  private CovertypeCsv() {
  }

  /** @return the number of data lines read */
  public static long read(Path file, Consumer<Map<String, Object>> sink) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null) {
        throw new IOException(file + " is empty");
      }
      String[] names = header.trim().split(",", -1);
      List<String> required = new java.util.ArrayList<>(CovertypeSchema.INPUT_FIELDS);
      required.add(CovertypeSchema.LABEL);
      if (!List.of(names).containsAll(required)) {
        throw new IOException(file + ": the header must name " + String.join(",", required));
      }
      long lines = 0;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        Map<String, Object> row = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length && i < cells.length; i++) {
          row.put(names[i], cell(cells[i].trim()));
        }
        sink.accept(row);
        lines++;
      }
      return lines;
    }
  }

  private static Object cell(String s) {
    if (!s.isEmpty() && s.length() < 19 && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-')) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException ignored) {
        // not an integer: keep the text
      }
    }
    return s;
  }
}
