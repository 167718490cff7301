package io.mlserve.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Vert.x blocked-thread warnings (an event loop or worker held too long) during the test suite. TestApp
 * fails a test whose app produced one: blocking an event loop is a bug even when the test's assertions pass.
 */
public final class BlockedThreadWatch extends AppenderBase<ILoggingEvent> {
  private static final BlockedThreadWatch INSTANCE = new BlockedThreadWatch();
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  static {
    INSTANCE.setName("blocked-thread-watch");
    attach();
  }

  /** (Re)attaches to the checker's logger: a logback reset (context stop) would have detached the appender. */
  private static void attach() {
    if (!INSTANCE.isStarted()) {
      INSTANCE.start();
    }
    Logger checker = (Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    if (!checker.isAttached(INSTANCE)) {
      checker.addAppender(INSTANCE);
    }
  }

  private BlockedThreadWatch() {
  }

  @Override
  protected void append(ILoggingEvent event) {
    warnings.add(event.getFormattedMessage());
  }

  /** How many warnings so far; pass it to {@link #newSince} later. */
  public static int mark() {
    attach();
    return INSTANCE.warnings.size();
  }

  public static List<String> newSince(int mark) {
    List<String> all = INSTANCE.warnings;
    return List.copyOf(all.subList(Math.min(mark, all.size()), all.size()));
  }
}
