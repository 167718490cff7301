package io.mlserve.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuUseTest {
  private static volatile long sink;

  @Test
  @DisplayName("CPU a process burns is counted for it, a finished child's for the load generator, both in the "
      + "machine's busy time")
  void countsProcessChildAndMachine() throws Exception {
    assumeTrue(CpuUse.available(), "no /proc here");
    long self = ProcessHandle.current().pid();
    CpuUse.Mark from = CpuUse.mark(self);
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    long x = 0;
    while (System.nanoTime() < until) {
      x += x * 31 + 7;
    }
    sink = x;
    // a child that spins for about 0.3 s of CPU, then is waited for
    Process child = new ProcessBuilder("sh", "-c", "end=$(($(date +%s%N) + 300000000)); "
        + "while [ $(date +%s%N) -lt $end ]; do :; done").start();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    CpuUse use = CpuUse.since(from);

    assertThat(use.processSeconds(0)).as("this JVM's CPU seconds").isGreaterThan(0.2);
    assertThat(use.childSeconds()).as("the finished child's CPU seconds").isGreaterThan(0.1);
    assertThat(use.busyCores() * use.wallSeconds()).as("machine busy core-seconds")
        .isGreaterThan(0.8 * (0.2 + 0.1));
    assertThat(use.wallSeconds()).isGreaterThan(0.5);
    assertThat(use.processCores(0)).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() + 0.5);

    // 0.2+ s over 1,000 requests is 200+ us each; the line names every process, then the load generator
    String line = use.perRequest(1000, true, "server");
    assertThat(line).startsWith("CPU per request: server ").contains(", load generator ").contains("; cores busy ")
        .endsWith(")");
    double serverUs = Double.parseDouble(line.replaceAll("^CPU per request: server ([0-9.]+) us.*$", "$1"));
    assertThat(serverUs).isGreaterThan(200);
    String inJvm = use.perRequest(1000, false, "server");
    assertThat(inJvm).contains("load generator in this JVM");
    assertThat(inJvm.split("load generator", -1)).as("named once, with no cores of its own").hasSize(2);
  }
}
