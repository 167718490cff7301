package io.mlserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU time read from {@code /proc} around a benchmark run: of the processes under test, of this process's finished
 * children (the load generator, once it has been waited for) and of the whole machine. It tells what a run cost per request
 * apart from who else shared the cores, which throughput alone cannot on a shared 2-core machine. Linux only; every
 * reading is 0 where {@code /proc} is absent, and {@link #available()} says so.
 */
public final class CpuUse {
  /** Linux reports process times in USER_HZ ticks, fixed at 100 per second for user space. */
  private static final double TICK = 0.01;

  private final double[] processSeconds;
  private final double childSeconds;
  private final double busySeconds;
  private final double wallSeconds;

  private CpuUse(double[] processSeconds, double childSeconds, double busySeconds, double wallSeconds) {
    this.processSeconds = processSeconds;
    this.childSeconds = childSeconds;
    this.busySeconds = busySeconds;
    this.wallSeconds = wallSeconds;
  }

  /** A reading of the given processes and of the machine, to subtract from a later one. */
  public static final class Mark {
    private final long[] pids;
    private final long[] processNanos;
    private final long childTicks;
    private final long busyTicks;
    private final long wallNanos;

    private Mark(long[] pids) {
      this.pids = pids.clone();
      this.processNanos = new long[pids.length];
      for (int i = 0; i < pids.length; i++) {
        processNanos[i] = ProcessHandle.of(pids[i]).flatMap(h -> h.info().totalCpuDuration())
            .map(java.time.Duration::toNanos).orElse(0L);
      }
      this.childTicks = childTicks();
      this.busyTicks = busyTicks();
      this.wallNanos = System.nanoTime();
    }
  }

  public static boolean available() {
    return Files.isReadable(Path.of("/proc/stat")) && Files.isReadable(Path.of("/proc/self/stat"));
  }

  public static Mark mark(long... pids) {
    return new Mark(pids);
  }

  /** What was used between {@code from} and now, by the processes {@code from} read. */
  public static CpuUse since(Mark from) {
    Mark to = new Mark(from.pids);
    double[] process = new double[from.pids.length];
    for (int i = 0; i < process.length; i++) {
      process[i] = (to.processNanos[i] - from.processNanos[i]) / 1e9;
    }
    // /proc/stat counts ticks per core, summed over the cores: busy ticks are core-seconds like the process times
    return new CpuUse(process, (to.childTicks - from.childTicks) * TICK, (to.busyTicks - from.busyTicks) * TICK,
        (to.wallNanos - from.wallNanos) / 1e9);
  }

  public double wallSeconds() {
    return wallSeconds;
  }

  /** CPU seconds of the {@code i}-th process given to {@link #mark}. */
  public double processSeconds(int i) {
    return processSeconds[i];
  }

  /** CPU seconds of this process's children that finished and were waited for: the load generator. */
  public double childSeconds() {
    return childSeconds;
  }

  /** Cores kept busy on average by the {@code i}-th process. */
  public double processCores(int i) {
    return wallSeconds == 0 ? 0 : processSeconds[i] / wallSeconds;
  }

  /** Cores kept busy on average by the load generator. */
  public double childCores() {
    return wallSeconds == 0 ? 0 : childSeconds / wallSeconds;
  }

  /** Cores kept busy on average by anything on the machine, the measured processes and load generator included. */
  public double busyCores() {
    return wallSeconds == 0 ? 0 : busySeconds / wallSeconds;
  }

  /** Cores kept busy by everything not measured: this JVM, other work on the machine, the kernel's own threads. */
  public double otherCores() {
    double known = childCores();
    for (int i = 0; i < processSeconds.length; i++) {
      known += processCores(i);
    }
    return Math.max(0, busyCores() - known);
  }

  /**
   * One line for benchmark output: each process's and the load generator's CPU per request, then the cores each kept
   * busy, e.g. {@code CPU per request: service 150.2 us, mongo process 58.3 us, load generator 20.4 us; cores busy
   * 1.95 (service 1.20, mongo process 0.46, load generator 0.16, other 0.13)}.
   *
   * @param names          one per process given to {@link #mark}, in order
   * @param childIsClient  whether the load generator ran as a child process (wrk); otherwise it ran in this JVM and
   *                       its CPU is not told apart
   */
  public String perRequest(double requests, boolean childIsClient, String... names) {
    double us = requests <= 0 ? 0 : 1e6 / requests;
    StringBuilder cost = new StringBuilder("CPU per request: ");
    StringBuilder cores = new StringBuilder(String.format(Locale.ROOT, "cores busy %.2f (", busyCores()));
    for (int i = 0; i < names.length; i++) {
      cost.append(String.format(Locale.ROOT, "%s %.1f us, ", names[i], processSeconds[i] * us));
      cores.append(String.format(Locale.ROOT, "%s %.2f, ", names[i], processCores(i)));
    }
    cost.append(childIsClient ? String.format(Locale.ROOT, "load generator %.1f us", childSeconds * us)
        : "load generator in this JVM");
    cores.append(childIsClient ? String.format(Locale.ROOT, "load generator %.2f, ", childCores()) : "")
        .append(String.format(Locale.ROOT, "other %.2f)", otherCores()));
    return cost + "; " + cores;
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
