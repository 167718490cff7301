package io.mlserve.inference.bench;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.covertype.RowValidator;
import io.mlserve.testing.SharedData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchRowsTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("rows from a CSV: the 12 input fields in the schema's order, no label, repeated up to the count")
  void csvRowsAreInputsRepeatedToTheCount() throws IOException {
    Path csv = dir.resolve("three.csv");
    StringWriter out = new StringWriter();
    new CovertypeGenerator(7).writeCsv(out, 3);
    Files.writeString(csv, out.toString());

    BenchRows rows = BenchRows.fromCsv(csv, 8);

    assertEquals(8, rows.rows().size());
    assertEquals(3, new HashSet<>(rows.rows()).size());
    assertEquals(rows.rows().get(0), rows.rows().get(3));
    for (Map<String, Object> r : rows.rows()) {
      assertEquals(List.copyOf(CovertypeSchema.INPUT_FIELDS), List.copyOf(r.keySet()));
      assertNull(RowValidator.validate(r, false));
    }
    assertTrue(rows.source().startsWith("real, 3 different rows of the 3 in "), rows.source());
  }

  @Test
  @DisplayName("the default CSV falls back to synthetic rows where it is missing; an explicit path must exist")
  void missingFiles() throws IOException {
    String absent = dir.resolve("absent.csv").toString();

    BenchRows fallback = BenchRows.load(absent, 5, absent);
    assertEquals(5, fallback.rows().size());
    assertTrue(fallback.source().startsWith("synthetic") && fallback.source().contains("is not available"),
        fallback.source());
    assertNull(RowValidator.validate(fallback.rows().get(0), false));

    IOException e = assertThrows(IOException.class, () -> BenchRows.load(absent, 5, "elsewhere.csv"));
    assertTrue(e.getMessage().contains("--rows"), e.getMessage());
    assertTrue(BenchRows.load("synthetic", 2, absent).source().startsWith("synthetic (CovertypeGenerator"));
  }

  @Test
  @DisplayName("the real sample: 10,000 valid rows in a seeded order that mixes the classes from the start")
  void realSampleRowsAreValid() throws IOException {
    Path csv = SharedData.require(SharedData.COVERTYPE_15K);

    BenchRows a = BenchRows.fromCsv(csv, 10_000);
    BenchRows b = BenchRows.fromCsv(csv, 10_000);

    assertEquals(a.rows(), b.rows());
    assertEquals(10_000, new HashSet<>(a.rows()).size(), "15,000 rows in the file: none repeated");
    a.rows().forEach(r -> assertNull(RowValidator.validate(r, false), r.toString()));
    assertTrue(new HashSet<>(a.rows().subList(0, 1024).stream().map(r -> r.get("Wilderness_Area")).toList()).size()
        >= 3, "the first 1,024 rows span the wilderness areas");
  }
}
