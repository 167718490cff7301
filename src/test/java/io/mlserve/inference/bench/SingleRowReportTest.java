package io.mlserve.inference.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleRowReportTest {
  @Test
  @DisplayName("the summary gives medians, the on/off ratios and the ceiling the non-runner CPU sets")
  void summaryLines() {
    // on: server 50 us of which runners 20, client 10 -> rest 40; off: server 70, runners 40, client 10 -> rest 40
    List<SingleRowReport.Round> on = List.of(new SingleRowReport.Round(30_000, 1, 2, 0, 50, 20, 10),
        new SingleRowReport.Round(31_000, 1, 3, 0, 52, 21, 10), new SingleRowReport.Round(10_000, 1, 9, 0, 49, 19, 10));
    List<SingleRowReport.Round> off = List.of(new SingleRowReport.Round(20_000, 1, 4, 0, 70, 40, 10),
        new SingleRowReport.Round(20_000, 1, 4, 0, 70, 40, 10), new SingleRowReport.Round(20_000, 1, 4, 0, 70, 40, 10));

    String out = printed(on, off, true);

    assertTrue(out.contains("batching on 30000 req/s, p99 3.00 ms; off 20000 req/s"), out);
    assertTrue(out.contains("on/off: 1.50x req/s (goal >= 1.5x); per round: 1.50x, 1.55x, 0.50x"), out);
    assertTrue(out.contains("batching on 50.0 us, off 70.0 us; off/on 1.40x"), out);
    assertTrue(out.contains("runner threads 20.0 us on, 40.0 us off (off/on 2.00x)"), out);
    // (40 + 40) / 40: what the runners cost off, plus the rest, over the rest alone
    assertTrue(out.contains("the rest of the server and load generator 40.0 us on, 40.0 us off"), out);
    assertTrue(out.contains("could reach at most 2.00x"), out);
  }

  @Test
  @DisplayName("with no client CPU measured (the Java client), the rest is named the server's alone")
  void restWithoutClient() {
    List<SingleRowReport.Round> on = List.of(new SingleRowReport.Round(30_000, 1, 2, 0, 50, 20, 0));
    List<SingleRowReport.Round> off = List.of(new SingleRowReport.Round(20_000, 1, 4, 0, 70, 40, 0));
    String out = printed(on, off, true);
    assertTrue(out.contains("the rest of the server 30.0 us on, 30.0 us off"), out);
    assertFalse(out.contains("server and load generator"), out);
  }

  @Test
  @DisplayName("without CPU readings the summary stops after the req/s lines")
  void withoutCpu() {
    List<SingleRowReport.Round> r = List.of(new SingleRowReport.Round(1000, 1, 2, 0));
    String out = printed(r, r, false);
    assertTrue(out.contains("1.00x req/s") && !out.contains("CPU"), out);
  }

  private static String printed(List<SingleRowReport.Round> on, List<SingleRowReport.Round> off, boolean cpu) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      SingleRowReport.print(on, off, null, cpu);
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
