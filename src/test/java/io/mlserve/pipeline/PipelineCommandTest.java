package io.mlserve.pipeline;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlserve pipeline run} in-process: exit status, progress on stderr, the run summary as JSON on stdout. */
class PipelineCommandTest {

  record Outcome(int status, String out, String err) {
  }

  static Outcome run(String... args) {
    PipelineCommand.Run command = new PipelineCommand.Run();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int status = new CommandLine(command).execute(args);
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Path conf(Path dir) throws Exception {
    return conf(dir, new JsonObject());
  }

  static Path conf(Path dir, JsonObject feed) throws Exception {
    JsonObject conf = new JsonObject()
        .put("dataDir", dir.toString())
        .put("mongo", new JsonObject().put("embeddedBackend", "memory"))
        .put("redis", new JsonObject().put("prefix", "test-" + UUID.randomUUID() + ":"))
        .put("models", new JsonObject().put("dir", dir.resolve("models").toString()))
        .put("feed", new JsonObject().put("batches", 4).put("intervalMs", 300).put("syntheticRows", 800)
            .mergeIn(feed))
        .put("pipeline", new JsonObject().put("pollMs", 100));
    Path file = dir.resolve("conf.json");
    Files.writeString(file, conf.encode());
    return file;
  }

  @Test
  @DisplayName("pipeline run --steps clear,load: exit 0, progress lines on stderr, the summary JSON on stdout")
  void succeeds(@TempDir Path dir) throws Exception {
    Outcome o = run("--steps", "clear,load", "--conf", conf(dir).toString());
    assertThat(o.status()).as(o.err()).isZero();
    JsonObject summary = new JsonObject(o.out());
    assertThat(summary.getString("state")).isEqualTo("SUCCEEDED");
    assertThat(summary.getString("trigger")).isEqualTo("cli");
    JsonObject load = summary.getJsonArray("steps").getJsonObject(1);
    assertThat(load.getString("name")).isEqualTo("load");
    assertThat(load.getJsonObject("result").getLong("stored")).isEqualTo(800);
    assertThat(o.err()).contains("pipeline run ").contains("load").contains("SUCCEEDED after");
  }

  @Test
  @DisplayName("a failing step exits 1 with the error in the summary; bad --steps exits 2")
  void failsAndRejects(@TempDir Path dir) throws Exception {
    JsonObject unreachable = new JsonObject().put("url", "http://127.0.0.1:" + io.mlserve.bench.JvmProcess.freePort())
        .put("retry", new JsonObject().put("maxAttempts", 2).put("initialBackoffMs", 10).put("maxBackoffMs", 10));
    Outcome failed = run("--steps", "load,train", "--conf", conf(dir, unreachable).toString());
    assertThat(failed.status()).isEqualTo(1);
    JsonObject summary = new JsonObject(failed.out());
    assertThat(summary.getString("state")).isEqualTo("FAILED");
    assertThat(summary.getString("error")).contains("step 'load' failed").contains("failed 2 times");
    assertThat(summary.getJsonArray("steps").getJsonObject(1).getString("state")).isEqualTo("SKIPPED");

    Outcome bad = run("--steps", "tune,clear", "--conf", conf(dir).toString());
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("cannot come after");
    assertThat(bad.out()).isEmpty();
  }
}
