package io.mlserve.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Log set-up decided at start-up: where logs go and at what level. */
public final class Logging {
  private Logging() {
  }

  /** One-shot commands print results on stdout; their logs go to stderr. Call before the first logger is made. */
  public static void toStderr() {
    System.setProperty("mlserve.log.target", "System.err");
  }

  public static void setLevel(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
    }
  }

  public static String rootLevel() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      Level level = ctx.getLogger(Logger.ROOT_LOGGER_NAME).getLevel();
      return level == null ? "INFO" : level.toString();
    }
    return "unknown";
  }

  /** Flushes the async appender; needed before {@code Runtime.halt}, which skips logback's own shutdown. */
  public static void flush() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.stop();
    }
  }
}
