package io.mlserve.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadtestCommandTest {

  private static LoadtestCommand parse(String... args) {
    LoadtestCommand c = new LoadtestCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  @DisplayName("--header is repeatable and --auth-key becomes 'Authorization: Bearer KEY'")
  void headers() {
    assertThat(parse("--scenario", "recs", "--header", "X-A: 1", "-H", "X-B:two words").headers())
        .containsEntry("X-A", "1").containsEntry("X-B", "two words");
    assertThat(parse("--scenario", "recs", "--auth-key", "k3y").headers())
        .containsEntry("Authorization", "Bearer k3y");
    assertThat(parse("--scenario", "recs", "--header", "Authorization: Bearer x", "--auth-key", "y").headers())
        .containsEntry("Authorization", "Bearer y");
  }

  @Test
  @DisplayName("a header without 'Name:' is a usage error")
  void badHeader() {
    assertThatThrownBy(() -> parse("--scenario", "recs", "--header", "nonsense").headers())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("Name: value");
  }
}
