package io.mlserve;

import io.mlserve.cli.ServeCommand;
import io.mlserve.cli.WarmupCommand;
import io.mlserve.train.TrainCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MainCommandsTest {
  @Test
  @DisplayName("picocli gets only the command named, none for the service, all for help and unknown commands")
  void commandsForArguments() {
    assertThat(Main.commandsFor()).isEmpty();
    assertThat(Main.commandsFor("--roles", "api,inference")).isEmpty();
    assertThat(Main.commandsFor("train", "--synthetic", "100")).containsExactly(TrainCommand.class);
    assertThat(Main.commandsFor("serve", "--roles", "api")).containsExactly(ServeCommand.class);
    assertThat(Main.commandsFor("warmup")).containsExactly(WarmupCommand.class);
    assertThat(Main.commandsFor("--help")).hasSizeGreaterThan(8).contains(TrainCommand.class, WarmupCommand.class);
    assertThat(Main.commandsFor("help", "train")).hasSizeGreaterThan(8);
    assertThat(Main.commandsFor("nosuch")).hasSizeGreaterThan(8);
  }

  @Test
  @DisplayName("--help still lists every command, and an unknown command is refused with status 2")
  void helpAndUnknown() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      assertThat(Main.execute("--help")).isZero();
      assertThat(Main.execute("nosuch")).isEqualTo(2);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    for (String command : new String[] {"serve", "bench", "loadtest", "train", "pipeline", "import-ratings",
        "generate-ratings", "evaluate", "warmup", "help"}) {
      assertThat(text).contains("  " + command + " ");
    }
    assertThat(text).contains("Unmatched argument at index 0: 'nosuch'");
  }
}
