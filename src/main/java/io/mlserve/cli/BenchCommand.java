package io.mlserve.cli;

import io.mlserve.bench.StartupBench;
import io.mlserve.inference.bench.PredictBench;
import io.mlserve.feed.FeedBench;
import picocli.CommandLine.Command;

/** {@code mlserve bench <what>}: benchmarks that print figures from one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks that print throughput, latency percentiles and memory.",
    subcommands = {StartupBench.class, io.mlserve.bench.ReplicaBench.class, io.mlserve.bench.SoakBench.class, io.mlserve.train.TrainBench.class,
        PredictBench.class,
        FeedBench.class, io.mlserve.recommend.bench.RecsBatchBench.class,
        io.mlserve.recommend.bench.RecsServingBench.class, io.mlserve.recommend.bench.RecsKMeansBench.class,
        io.mlserve.recommend.bench.RecsPrimitivesBench.class})
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
