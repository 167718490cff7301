package io.mlserve.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * Console output written once per batch of events instead of once per line: the disruptor appender in front of it
 * (logback.xml) flushes it at the end of every batch, and on stop.
 *
 * <p>Why not logback's ConsoleAppender: it writes through {@code System.out}, a PrintStream that flushes, one
 * {@code write(2)}, on every event whatever {@code immediateFlush} says. With one access-log line per request that
 * was one system call per request. Only for use behind that appender: with immediateFlush off, nothing else writes
 * the buffer out.
 */
public final class BufferedConsoleAppender extends OutputStreamAppender<ILoggingEvent> {
  private static final int BUFFER_BYTES = 64 * 1024;

  private String target = "System.out";

  public BufferedConsoleAppender() {
    setImmediateFlush(false);
  }

  /** {@code System.out} (the default) or {@code System.err}, as for logback's ConsoleAppender. */
  public void setTarget(String target) {
    this.target = target == null ? "" : target.trim();
  }

  @Override
  public void start() {
    FileDescriptor fd;
    if ("System.out".equalsIgnoreCase(target)) {
      fd = FileDescriptor.out;
    } else if ("System.err".equalsIgnoreCase(target)) {
      fd = FileDescriptor.err;
    } else {
      addError("target must be System.out or System.err, not [" + target + "]");
      return;
    }
    // whole events reach the descriptor (the buffer is written out before an event that does not fit), so lines
    // never interleave with other writers to the same stream; close() must not close the process's stdout/stderr
    setOutputStream(new BufferedOutputStream(new FileOutputStream(fd) {
      @Override
      public void close() {
      }
    }, BUFFER_BYTES));
    super.start();
  }
}
