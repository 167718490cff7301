package io.mlserve.testing;

import io.mlserve.bench.JvmProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} child process on its own loopback port, for fault tests that stop and restart
 * Redis: no persistence (a restart comes back empty), {@link #stop()} kills it, {@link #start()} brings it back on
 * the same port, {@link #close()} makes sure nothing is left running.
 */
public final class RedisServer implements AutoCloseable {
  private static final String BINARY = "/usr/bin/redis-server";

  private final int port;
  private final Path log;
  private Process process;

  private RedisServer(int port) throws IOException {
    this.port = port;
    this.log = Files.createTempFile("redis-" + port, ".log");
  }

  /** Starts a server on a free port and waits until it answers PING. */
  public static RedisServer startNew() throws IOException, InterruptedException {
    RedisServer r = new RedisServer(JvmProcess.freePort());
    r.start();
    return r;
  }

  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** (Re)starts the server on {@link #port()}; returns once PING answers PONG (10 s at most). */
  public synchronized void start() throws IOException, InterruptedException {
    if (isRunning()) {
      return;
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no"));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!ping()) {
      if (!process.isAlive()) {
        throw new IOException("redis-server on port " + port + " exited with " + process.exitValue() + ": "
            + Files.readString(log));
      }
      if (System.currentTimeMillis() > deadline) {
        close();
        throw new IOException("redis-server on port " + port + " did not answer PING within 10 s");
      }
      Thread.sleep(20);
    }
  }

  /** Kills the server (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    process = null;
  }

  /** Whether PING on the port gets PONG right now. */
  public boolean ping() {
    return "+PONG".equals(command("PING"));
  }

  /** Sends one inline command and returns the first line of the reply (null when unreachable). */
  public String command(String inline) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\r') {
        sb.append((char) c);
      }
      return sb.toString();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }
}
