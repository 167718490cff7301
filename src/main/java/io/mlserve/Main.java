package io.mlserve;

import io.mlserve.cli.BenchCommand;
import io.mlserve.cli.LoadtestCommand;
import io.mlserve.cli.Logging;
import io.mlserve.cli.ServeCommand;
import io.mlserve.cli.ServeOptions;
import io.mlserve.cli.WarmupCommand;
import io.mlserve.pipeline.PipelineCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Entry point of the one jar. With no command it runs the service ({@code --roles}, {@code --conf},
 * {@code --cluster}); commands run one-shot jobs that share the same code and configuration.
 */
@Command(name = "mlserve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "ML serving platform: recommendations and a tabular ML loop with ONNX Runtime inference.")
public final class Main implements Callable<Integer> {
  /**
   * Every command, in the order {@code --help} lists them. Only the one named on the command line is handed to
   * picocli: reflecting over all of them (and bench's own subcommands) cost about 0.4 s of every service start.
   */
  private static final Map<String, Class<?>> COMMANDS = commands(
      ServeCommand.class,
      BenchCommand.class,
      LoadtestCommand.class,
      io.mlserve.train.TrainCommand.class,
      PipelineCommand.class,
      io.mlserve.recommend.cli.ImportRatingsCommand.class,
      io.mlserve.recommend.cli.GenerateRatingsCommand.class,
      io.mlserve.recommend.cli.EvaluateCommand.class,
      WarmupCommand.class,
      io.mlserve.cli.MongoCommand.class,
      CommandLine.HelpCommand.class);

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
    CommandLine cli = new CommandLine(new Main());
    for (Class<?> command : commandsFor(args)) {
      cli.addSubcommand(command);
    }
    return cli.execute(args);
  }

  /**
   * The commands picocli needs for these arguments: the one named, none when the service runs with options only,
   * all of them for help and for anything unknown (so the error lists them).
   */
  static Collection<Class<?>> commandsFor(String... args) {
    String first = args.length == 0 ? "" : args[0];
    boolean asksHelp = Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("--help"));
    if (first.isEmpty() || first.startsWith("-")) {
      return asksHelp ? COMMANDS.values() : List.of();
    }
    Class<?> named = COMMANDS.get(first);
    return named == null || first.equals("help") ? COMMANDS.values() : List.of(named);
  }

  private static Map<String, Class<?>> commands(Class<?>... classes) {
    Map<String, Class<?>> byName = new LinkedHashMap<>();
    for (Class<?> c : classes) {
      byName.put(c.getAnnotation(Command.class).name(), c);
    }
    return byName;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var b = io.mlserve.app.BuildInfo.load();
      return new String[] {b.name() + " " + b.version() + " (" + b.commit() + ")"};
    }
  }
}
