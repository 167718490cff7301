package io.mlserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * CPU time of one process's threads, summed by group, read from {@code /proc/<pid>/task}: which of a server's
 * threads a request's CPU went to (e.g. the inference runners against the HTTP event loops). Linux only; empty
 * readings where {@code /proc} is absent. A thread that ends between two readings takes its time with it, so a group's
 * difference is a lower bound when threads come and go (the servers measured keep theirs).
 */
public final class ThreadCpu {
  /** Linux reports thread times in USER_HZ ticks, fixed at 100 per second for user space. */
  private static final double TICK = 0.01;

  private ThreadCpu() {
  }

  /**
   * CPU seconds (user + system) per group, {@code groupOf} mapping a thread's name as the kernel keeps it (at most 15
   * characters) to its group.
   */
  public static Map<String, Double> read(long pid, Function<String, String> groupOf) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    List<Path> tasks;
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks = s.toList();
    } catch (IOException | RuntimeException e) {
      return seconds;
    }
    for (Path task : tasks) {
      try {
        String name = Files.readString(task.resolve("comm")).strip();
        String stat = Files.readString(task.resolve("stat"));
        // the name (field 2) may hold spaces; fields are counted after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        double s = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK;
        seconds.merge(groupOf.apply(name), s, Double::sum);
      } catch (IOException | RuntimeException e) {
        // the thread ended while being read
      }
    }
    return seconds;
  }

  /** {@code to - from} per group of {@code to}, never below 0 (see the class comment). */
  public static Map<String, Double> between(Map<String, Double> from, Map<String, Double> to) {
    Map<String, Double> d = new LinkedHashMap<>();
    to.forEach((group, s) -> d.put(group, Math.max(0, s - from.getOrDefault(group, 0.0))));
    return d;
  }
}
