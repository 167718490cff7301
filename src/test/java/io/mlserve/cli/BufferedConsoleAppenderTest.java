package io.mlserve.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;

import static org.assertj.core.api.Assertions.assertThat;

class BufferedConsoleAppenderTest {
  @Test
  @DisplayName("starts on System.out or System.err, buffered; refuses another target with an error status")
  void targets() {
    LoggerContext context = new LoggerContext();
    for (String target : new String[] {"System.out", " system.err "}) {
      BufferedConsoleAppender appender = appender(context, target);
      assertThat(appender.isStarted()).as(target).isTrue();
      assertThat(appender.isImmediateFlush()).as("flushed by the async appender in front, per batch").isFalse();
      appender.stop(); // closing must leave the process's own stream usable
    }
    assertThat(FileDescriptor.out.valid()).as("stdout still open").isTrue();
    assertThat(FileDescriptor.err.valid()).as("stderr still open").isTrue();

    BufferedConsoleAppender wrong = appender(context, "stdout.log");
    assertThat(wrong.isStarted()).isFalse();
    assertThat(context.getStatusManager().getCopyOfStatusList()).anySatisfy(s -> {
      assertThat(s.getLevel()).isEqualTo(Status.ERROR);
      assertThat(s.getMessage()).contains("System.out or System.err").contains("stdout.log");
    });
  }

  private static BufferedConsoleAppender appender(LoggerContext context, String target) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    BufferedConsoleAppender appender = new BufferedConsoleAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setTarget(target);
    appender.start();
    return appender;
  }
}
