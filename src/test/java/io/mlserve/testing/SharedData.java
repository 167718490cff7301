package io.mlserve.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real data sets in {@code ../shared/data} (MovieLens 100K, the Covertype sample). They are not part of the
 * project and may be absent: tests that need them call {@link #require} and are skipped cleanly without them.
 * {@code MLSERVE_SHARED_DATA} points elsewhere when set.
 */
public final class SharedData {
  private SharedData() {
  }

  public static Path root() {
    String env = System.getenv("MLSERVE_SHARED_DATA");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared", "data");
  }

  public static Optional<Path> find(String relative) {
    Path p = root().resolve(relative);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /** The file, or the calling test is skipped (JUnit assumption) when it is absent. */
  public static Path require(String relative) {
    Optional<Path> p = find(relative);
    assumeTrue(p.isPresent(), "skipped: " + root().resolve(relative) + " is not available");
    return p.get();
  }

  public static final String MOVIELENS_100K = "ml-100k/u.data";
  public static final String COVERTYPE_15K = "covertype/covertype-15k.csv";
}
