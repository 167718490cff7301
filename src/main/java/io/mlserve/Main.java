package io.mlserve;

import io.mlserve.cli.BenchCommand;
import io.mlserve.cli.LoadtestCommand;
import io.mlserve.cli.Logging;
import io.mlserve.cli.ServeCommand;
import io.mlserve.cli.ServeOptions;
import io.mlserve.pipeline.PipelineCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Entry point of the one jar. With no command it runs the service ({@code --roles}, {@code --conf},
 * {@code --cluster}); commands run one-shot jobs that share the same code and configuration.
 */
@Command(name = "mlserve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "ML serving platform: recommendations and a tabular ML loop with ONNX Runtime inference.",
    subcommands = {
        ServeCommand.class,
        BenchCommand.class,
        LoadtestCommand.class,
        io.mlserve.train.TrainCommand.class,
        PipelineCommand.class,
        io.mlserve.recommend.cli.ImportRatingsCommand.class,
        io.mlserve.recommend.cli.GenerateRatingsCommand.class,
        io.mlserve.recommend.cli.EvaluateCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {
  /** Commands that run the long-lived service; everything else logs to stderr. */
  private static final Set<String> SERVICE_COMMANDS = Set.of("serve");

  @Mixin
  ServeOptions options = new ServeOptions();

  @Override
  public Integer call() {
    return ServeCommand.run(options);
  }

  public static void main(String[] args) {
    String first = args.length == 0 ? "" : args[0];
    if (!first.isEmpty() && !first.startsWith("-") && !SERVICE_COMMANDS.contains(first)) {
      Logging.toStderr();
    }
    int status = execute(args);
    if (status >= 0) {
      Logging.flush();
      System.exit(status);
    }
    // status -1: the service is running; the shutdown hook decides the exit status
  }

  /** Runs the command line and returns its exit status (-1 while a service keeps running). */
  public static int execute(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var b = io.mlserve.app.BuildInfo.load();
      return new String[] {b.name() + " " + b.version() + " (" + b.commit() + ")"};
    }
  }
}
