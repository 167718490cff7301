package io.mlserve.pipeline;

import io.mlserve.app.MlserveApp;
import io.mlserve.app.Role;
import io.mlserve.bench.JvmProcess;
import io.mlserve.config.ConfigException;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.mlserve.jobs.Job;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code mlserve pipeline run}: one pipeline run in a one-shot process. */
@Command(name = "pipeline", mixinStandardHelpOptions = true, description = "Pipeline runs (clear, load, train, tune).",
    subcommands = {PipelineCommand.Run.class})
public final class PipelineCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Starts mlserve in this process (roles api and feeder, plus trainer for the train and tune steps),",
          "runs the pipeline once and stops. Progress goes to stderr, the run summary (JSON) to stdout.",
          "Exit status: 0 the run succeeded, 1 it failed or was cancelled (Ctrl-C cancels), 2 bad arguments or "
              + "configuration."})
  public static final class Run implements Callable<Integer> {
    @Option(names = "--steps", split = ",", paramLabel = "STEP",
        description = "Steps to run, in order (default: clear,load,train,tune).")
    List<String> steps = List.of("clear", "load", "train", "tune");

    @Option(names = "--conf", paramLabel = "FILE", description = "JSON config file (defaults < file < environment).")
    Path conf;

    @Option(names = "--port", paramLabel = "PORT",
        description = "HTTP port of this process (it serves its own feed); default: a free loopback port.")
    Integer port;

    @Option(names = "--timeout-s", defaultValue = "7200", paramLabel = "SECONDS",
        description = "Give up (and cancel the run) after this long (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
      List<PipelineStep> parsed;
      MlserveConfig config;
      try {
        parsed = PipelineStep.parse(steps);
        JsonObject http = port == null
            ? new JsonObject().put("port", JvmProcess.freePort()).put("host", "127.0.0.1")
            : new JsonObject().put("port", port);
        JsonObject overrides = new JsonObject().put("http", http)
            // this process exists for one run: no schedule, no second run at start
            .put("pipeline", new JsonObject().put("schedule", "").put("runOnStart", false));
        config = ConfigLoader.load(conf, System.getenv(), overrides);
      } catch (IllegalArgumentException | ConfigException e) {
        err.println("mlserve pipeline run: " + e.getMessage());
        return 2;
      }
      Set<Role> roles = EnumSet.of(Role.API, Role.FEEDER);
      if (parsed.contains(PipelineStep.TRAIN) || parsed.contains(PipelineStep.TUNE)) {
        roles.add(Role.TRAINER);
      }
      MlserveApp app;
      try {
        app = MlserveApp.start(config, roles);
      } catch (Exception e) {
        Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
        err.println("mlserve pipeline run: could not start: " + cause.getMessage());
        return 1;
      }
      try {
        return runOnce(app, parsed);
      } finally {
        app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }

    private int runOnce(MlserveApp app, List<PipelineStep> parsed) throws Exception {
      var services = app.services();
      Job job = PipelineRunner.of(services).start(parsed, "cli", new JsonObject());
      Thread onCtrlC = new Thread(() -> {
        if (!job.state().terminal()) {
          err.println("interrupted: cancelling pipeline run " + job.id());
          services.jobs().cancel(job.id());
          awaitQuietly(services.jobs().awaitFinished(job.id(), 100), 20);
          app.stop();
        }
      }, "pipeline-cancel");
      Runtime.getRuntime().addShutdownHook(onCtrlC);
      err.println("pipeline run " + job.id() + ": steps " + String.join(", ",
          parsed.stream().map(PipelineStep::id).toList()) + " (feed on port " + app.httpPort() + ")");
      long progressMs = Math.max(500, services.config().pipeline().pollMs());
      String[] last = {""};
      long timer = services.vertx().setPeriodic(progressMs, t -> {
        String line = progressLine(job.snapshot());
        if (!line.equals(last[0])) {
          last[0] = line;
          err.println(line);
        }
      });
      JsonObject end;
      try {
        end = services.jobs().awaitFinished(job.id(), 200).toCompletionStage().toCompletableFuture()
            .get(timeoutSeconds, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        err.println("pipeline run " + job.id() + " did not finish within " + timeoutSeconds + " s; cancelling it");
        services.jobs().cancel(job.id());
        end = services.jobs().awaitFinished(job.id(), 200).toCompletionStage().toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
      } finally {
        services.vertx().cancelTimer(timer);
        try {
          Runtime.getRuntime().removeShutdownHook(onCtrlC);
        } catch (IllegalStateException shuttingDown) {
          // the hook is already running (Ctrl-C); it finishes the cancel
        }
      }
      JsonObject summary = PipelineRoutes.present(end);
      err.println("pipeline run " + job.id() + " " + summary.getString("state") + " after "
          + summary.getLong("durationMs") + " ms" + (summary.getString("error") == null ? ""
          : ": " + summary.getString("error")));
      out.println(summary.encodePrettily());
      out.flush();
      return "SUCCEEDED".equals(summary.getString("state")) ? 0 : 1;
    }

    /** "[12.3 s] load: loading batch 3 of 10 - 4500/15000 rows (30.0%), 2900 rows/s". */
    @SuppressWarnings("unchecked")
    static String progressLine(JsonObject snapshot) {
      JsonObject run = PipelineRoutes.present(snapshot);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%.1f s] ",
          run.getLong("durationMs", 0L) / 1000.0));
      for (Object o : run.getJsonArray("steps")) {
        JsonObject step = (JsonObject) o;
        if (!"RUNNING".equals(step.getString("state"))) {
          continue;
        }
        line.append(step.getString("name"));
        JsonObject p = step.getJsonObject("progress");
        if (p != null) {
          if (p.getString("phase") != null && !p.getString("phase").isEmpty()) {
            line.append(": ").append(p.getString("phase"));
          }
          Long total = p.getLong("total");
          if (p.getLong("processed") != null && total != null && total > 0) {
            line.append(String.format(Locale.ROOT, " - %d/%d %s (%s%%), %.0f %s/s", p.getLong("processed"), total,
                p.getString("unit", ""), p.getValue("percent"), p.getDouble("rate", 0.0), p.getString("unit", "")));
          }
        }
        return line.toString();
      }
      return line.append(run.getString("state").toLowerCase(Locale.ROOT)).append(" (")
          .append(run.getLong("stepsDone")).append('/').append(run.getLong("stepsTotal")).append(" steps done)")
          .toString();
    }

    private static void awaitQuietly(io.vertx.core.Future<?> f, long seconds) {
      try {
        f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort while the JVM shuts down
      }
    }
  }
}
