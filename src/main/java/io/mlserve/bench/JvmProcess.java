package io.mlserve.bench;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An mlserve process started from this build (the jar when running from it, else the current classpath). Benchmarks
 * and process-level tests use it to measure start-up, memory and signal handling of the real thing.
 */
public final class JvmProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  /** Whether the log is a temporary file of ours (deleted on close) rather than one the caller named. */
  private final boolean temporaryLog;

  private JvmProcess(Process process, Path log, boolean temporaryLog) {
    this.process = process;
    this.log = log;
    this.temporaryLog = temporaryLog;
  }

  public static Builder builder() {
    return new Builder();
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public Path log() {
    return log;
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** Resident memory from /proc (Linux); -1 where unavailable. */
  public long rssKb() {
    return rssKb(process.pid());
  }

  public static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Waits until the process's output contains {@code text}; false on timeout or exit. */
  public boolean awaitOutput(String text, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline && process.isAlive()) {
      if (logText().contains(text)) {
        return true;
      }
      sleep(50);
    }
    return logText().contains(text);
  }

  /** Polls {@code url} until it answers 200; returns the milliseconds waited or -1 on timeout or exit. */
  public long awaitHttp200(String url, long timeoutMs) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return -1;
      }
      if (status(url) == 200) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      }
      sleep(20);
    }
    return -1;
  }

  public static int status(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code;
    } catch (IOException e) {
      return -1;
    }
  }

  public void sigterm() {
    process.destroy();
  }

  public int waitFor(long timeoutMs) throws InterruptedException {
    if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      return Integer.MIN_VALUE;
    }
    return process.exitValue();
  }

  /**
   * Kills the process if it still runs and deletes its temporary log (read {@link #logText()} before): a bench
   * server at log level INFO writes hundreds of MB, and every test and bench run used to leave its logs in /tmp.
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (temporaryLog && !process.isAlive()) {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a leftover temporary file is harmless
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A free TCP port on loopback (closed again, so there is a small race; fine for tests and benchmarks). */
  public static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The jar or classpath this code runs from, to start another process of the same build. */
  public static List<String> launchCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    if (cp.endsWith(".jar") && !cp.contains(File.pathSeparator)) {
      cmd.add("-jar");
      cmd.add(cp);
    } else {
      // the classpath goes in an @argfile: ONNX Runtime 1.29's native init crashes (SIGSEGV) in a process whose
      // command line is longer than about 4 KB, which a Maven test classpath on -cp always is
      cmd.add("@" + classpathArgFile(cp));
      cmd.add("io.mlserve.Main");
    }
    return cmd;
  }

  private static Path classpathArgFile;

  private static synchronized Path classpathArgFile(String cp) {
    if (classpathArgFile == null) {
      try {
        Path file = Files.createTempFile("mlserve-classpath", ".args");
        file.toFile().deleteOnExit();
        Files.writeString(file, "-cp \"" + cp.replace("\\", "\\\\") + "\"\n");
        classpathArgFile = file;
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the classpath argument file", e);
      }
    }
    return classpathArgFile;
  }

  /**
   * JVM options of the documented launch, given to every service process a benchmark or test starts unless it picks
   * its own collector: on two cores the parallel collector served 1.5x the predictions of G1 with half the p99, and
   * fed rows 1.6x faster (README, "JVM options").
   */
  public static final List<String> SERVICE_JVM_OPTIONS = List.of("-XX:+UseParallelGC");

  public static final class Builder {
    private final List<String> jvmArgs = new ArrayList<>();
    private boolean serviceOptions = true;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path log;
    private List<String> command;
    private String cpus;

    public Builder jvmArg(String a) {
      jvmArgs.add(a);
      return this;
    }

    /** Adds every option of a space-separated line, as a {@code --jvm-args}-style bench option gives them. */
    public Builder jvmArgs(String line) {
      for (String a : line.trim().split("\\s+")) {
        if (!a.isEmpty()) {
          jvmArgs.add(a);
        }
      }
      return this;
    }

    /** Starts the JVM with its own defaults, without {@link #SERVICE_JVM_OPTIONS}. */
    public Builder plainJvm() {
      serviceOptions = false;
      return this;
    }

    public Builder args(String... a) {
      args.addAll(List.of(a));
      return this;
    }

    public Builder env(String k, String v) {
      env.put(k, v);
      return this;
    }

    public Builder log(Path file) {
      this.log = file;
      return this;
    }

    /** Pins the process to these CPUs ({@code taskset -c}, e.g. "1" or "0,1"); ignored without taskset. */
    public Builder cpus(String cpuList) {
      this.cpus = cpuList;
      return this;
    }

    /** Overrides the launch command (e.g. {@code java -jar target/mlserve.jar}). */
    public Builder command(List<String> base) {
      this.command = base;
      return this;
    }

    public JvmProcess start() throws IOException {
      List<String> base = command == null ? launchCommand() : command;
      List<String> cmd = new ArrayList<>();
      if (cpus != null && !cpus.isBlank() && Files.isExecutable(Path.of("/usr/bin/taskset"))) {
        cmd.addAll(List.of("/usr/bin/taskset", "-c", cpus));
      }
      cmd.add(base.get(0));
      if (serviceOptions && jvmArgs.stream().noneMatch(a -> a.matches("-XX:\\+Use\\w+GC"))) {
        cmd.addAll(SERVICE_JVM_OPTIONS);
      }
      cmd.addAll(jvmArgs);
      cmd.addAll(base.subList(1, base.size()));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      Path out = log != null ? log : Files.createTempFile("mlserve-proc", ".log");
      pb.redirectErrorStream(true).redirectOutput(out.toFile());
      return new JvmProcess(pb.start(), out, log == null);
    }
  }
}
