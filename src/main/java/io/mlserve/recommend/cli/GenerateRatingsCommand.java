package io.mlserve.recommend.cli;

import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.SyntheticRatings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code generate-ratings}: seeded synthetic ratings in MovieLens {@code u.data} form (or CSV). */
@Command(name = "generate-ratings", mixinStandardHelpOptions = true,
    description = "Writes seeded synthetic ratings (taste groups, skewed item popularity, heavy-tailed user activity)"
        + " as MovieLens u.data lines (user<TAB>item<TAB>rating<TAB>timestamp) or CSV.")
public final class GenerateRatingsCommand implements Callable<Integer> {
  @Option(names = "--users", defaultValue = "943", description = "Users (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--items", defaultValue = "1682", description = "Items (default ${DEFAULT-VALUE}).")
  int items;

  @Option(names = "--ratings", defaultValue = "100000", description = "Ratings (default ${DEFAULT-VALUE}).")
  int ratings;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--format", defaultValue = "movielens", description = "movielens or csv (default ${DEFAULT-VALUE}).")
  String format;

  @Option(names = {"--out", "-o"}, description = "Output file (default: stdout).")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("csv") && !format.equals("movielens")) {
      System.err.println("--format must be movielens or csv, got '" + format + "'");
      return 2;
    }
    boolean csv = format.equals("csv");
    RatingsBuffer r;
    try {
      r = SyntheticRatings.generate(users, items, ratings, seed);
    } catch (IllegalArgumentException e) {
      System.err.println("cannot generate: " + e.getMessage());
      return 2;
    }
    try (Writer w = out == null
        ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)
        : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      char sep = csv ? ',' : '\t';
      if (csv) {
        w.write("userId,itemId,rating,ts\n");
      }
      StringBuilder sb = new StringBuilder(32);
      for (int i = 0; i < r.size(); i++) {
        sb.setLength(0);
        sb.append(r.user(i)).append(sep).append(r.item(i)).append(sep).append((int) r.rating(i)).append(sep)
            .append(r.ts(i)).append('\n');
        w.write(sb.toString());
      }
    }
    System.err.printf("generated %d ratings for %d users and %d items (seed %d)%s%n", r.size(), users, items, seed,
        out == null ? "" : " into " + out);
    return 0;
  }
}
