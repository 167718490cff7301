package io.mlserve.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ThreadCpuTest {
  private static final Function<String, String> GROUP = name -> name.startsWith("cpu-burner-") ? "burners" : "rest";

  @Test
  @DisplayName("a busy thread's CPU time lands in its group, read from /proc/<pid>/task")
  void busyThreadIsCountedInItsGroup() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "skipped: no /proc");
    long pid = ProcessHandle.current().pid();
    Map<String, Double> from = ThreadCpu.read(pid, GROUP);
    Thread burner = new Thread(() -> {
      long end = System.nanoTime() + 400_000_000L;
      double x = 0;
      while (System.nanoTime() < end) {
        x += Math.sqrt(x + 1);
      }
      if (x < 0) {
        System.out.println(x);
      }
    }, "cpu-burner-1");
    burner.start();
    Thread.sleep(300); // read while it still runs: an ended thread takes its time with it
    Map<String, Double> d = ThreadCpu.between(from, ThreadCpu.read(pid, GROUP));
    burner.join();

    assertTrue(d.getOrDefault("burners", 0.0) >= 0.1, "burner time: " + d);
    assertTrue(d.containsKey("rest"), "the test's own threads: " + d);
  }

  @Test
  @DisplayName("between never goes below 0 (a thread that ended took its time with it), and keeps new groups")
  void betweenClampsAndKeepsNewGroups() {
    Map<String, Double> d = ThreadCpu.between(Map.of("a", 2.0, "b", 1.0), Map.of("a", 1.5, "c", 0.25));
    assertEquals(Map.of("a", 0.0, "c", 0.25), d);
  }

  @Test
  @DisplayName("no such process: an empty reading, not an error")
  void missingProcess() {
    assertTrue(ThreadCpu.read(Long.MAX_VALUE, GROUP).isEmpty());
  }
}
