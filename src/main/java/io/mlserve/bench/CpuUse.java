package io.mlserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time read from {@code /proc} around a benchmark run: of the server process, of this process's finished children
 * (the load generator, once it has been waited for) and of the whole machine. It tells what a run cost per request
 * apart from who else shared the cores, which throughput alone cannot on a shared 2-core machine. Linux only; every
 * reading is 0 where {@code /proc} is absent, and {@link #available()} says so.
 */
public record CpuUse(double serverSeconds, double childSeconds, double busySeconds, double wallSeconds) {
  /** Linux reports process times in USER_HZ ticks, fixed at 100 per second for user space. */
  private static final double TICK = 0.01;

  /** A reading to subtract from a later one. */
  public record Mark(long serverNanos, long childTicks, long busyTicks, long wallNanos) {
  }

  public static boolean available() {
    return Files.isReadable(Path.of("/proc/stat")) && Files.isReadable(Path.of("/proc/self/stat"));
  }

  public static Mark mark(long serverPid) {
    long server = ProcessHandle.of(serverPid).flatMap(h -> h.info().totalCpuDuration())
        .map(java.time.Duration::toNanos).orElse(0L);
    return new Mark(server, childTicks(), busyTicks(), System.nanoTime());
  }

  /** What was used between {@code from} and now. */
  public static CpuUse since(Mark from, long serverPid) {
    Mark to = mark(serverPid);
    // /proc/stat counts ticks per core, summed over the cores: busy ticks are core-seconds like the process times
    return new CpuUse((to.serverNanos() - from.serverNanos()) / 1e9, (to.childTicks() - from.childTicks()) * TICK,
        (to.busyTicks() - from.busyTicks()) * TICK, (to.wallNanos() - from.wallNanos()) / 1e9);
  }

  /** Cores kept busy on average by the server. */
  public double serverCores() {
    return wallSeconds == 0 ? 0 : serverSeconds / wallSeconds;
  }

  /** Cores kept busy on average by the load generator (the children waited for during the run). */
  public double childCores() {
    return wallSeconds == 0 ? 0 : childSeconds / wallSeconds;
  }

  /** Cores kept busy on average by anything on the machine, the server and load generator included. */
  public double busyCores() {
    return wallSeconds == 0 ? 0 : busySeconds / wallSeconds;
  }

  /** Fields 16 and 17 of {@code /proc/self/stat}: user and system ticks of children that were waited for. */
  private static long childTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // the command name (field 2) may hold spaces; fields are counted after its closing parenthesis
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Busy ticks of all cores, from the first line of {@code /proc/stat}: user, nice, system, irq and softirq; idle,
   * iowait and steal (time the hypervisor gave to another guest) are not busy, and guest time is inside user.
   */
  private static long busyTicks() {
    try (var lines = Files.lines(Path.of("/proc/stat"))) {
      String[] f = lines.findFirst().orElse("cpu").trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7}) {
        busy += i < f.length ? Long.parseLong(f[i]) : 0;
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
