package io.mlserve.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JvmProcessTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("close deletes the temporary log it made, after the output was readable; a log the caller named stays")
  void logFiles() throws Exception {
    Path temporary;
    try (JvmProcess p = shell("echo hello-from-child").start()) {
      assertThat(p.waitFor(10_000)).isZero();
      assertThat(p.logText()).contains("hello-from-child");
      temporary = p.log();
      assertThat(temporary).exists();
    }
    assertThat(temporary).doesNotExist();

    Path named = dir.resolve("child.log");
    try (JvmProcess p = shell("echo kept").log(named).start()) {
      assertThat(p.waitFor(10_000)).isZero();
    }
    assertThat(Files.readString(named)).contains("kept");
  }

  private static JvmProcess.Builder shell(String script) {
    return JvmProcess.builder().plainJvm().command(List.of("/bin/sh", "-c", script));
  }
}
