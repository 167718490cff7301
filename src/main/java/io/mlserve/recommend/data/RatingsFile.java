package io.mlserve.recommend.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads rating files: MovieLens ({@code u.data}: user, item, rating, timestamp separated by tabs; the 1M/10M
 * {@code ::} form too) or CSV ({@code userId,itemId,rating[,ts]}, an optional header line). Every row is checked;
 * the first bad one stops the read with its line number, so an import never writes half a file.
 */
public final class RatingsFile {
  public enum Format {
    MOVIELENS, CSV;

    public static Format parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "movielens" -> MOVIELENS;
        case "csv" -> CSV;
        default -> throw new IllegalArgumentException("unknown format '" + s + "'; use movielens or csv");
      };
    }
  }

  /** A row that is not a valid rating; names the line and the problem. */
  public static final class BadRowException extends RuntimeException {
    private final long line;

    public BadRowException(long line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }

    public long line() {
      return line;
    }
  }

  private RatingsFile() {
  }

  public static RatingsBuffer read(Path file, Format format, RatingRange range) throws IOException {
    RatingsBuffer out = new RatingsBuffer((int) Math.min(Integer.MAX_VALUE - 8, Math.max(1024, Files.size(file) / 16)));
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = split(line, format);
        if (format == Format.CSV && n == 1 && !f[0].isEmpty() && !Character.isDigit(f[0].trim().charAt(0))) {
          continue; // header
        }
        parseRow(f, n, range, out);
      }
    }
    return out;
  }

  private static String[] split(String line, Format format) {
    if (format == Format.CSV) {
      return line.split(",", -1);
    }
    return line.contains("::") ? line.split("::", -1) : line.split("\t", -1);
  }

  static void parseRow(String[] f, long line, RatingRange range, RatingsBuffer out) {
    if (f.length < 3 || f.length > 4) {
      throw new BadRowException(line, "expected 3 or 4 fields (user, item, rating[, timestamp]), got " + f.length);
    }
    int user = positiveInt(f[0], "user id", line);
    int item = positiveInt(f[1], "item id", line);
    double rating;
    try {
      rating = Double.parseDouble(f[2].trim());
    } catch (NumberFormatException e) {
      throw new BadRowException(line, "rating '" + f[2] + "' is not a number");
    }
    if (!range.contains(rating)) {
      throw new BadRowException(line, "rating " + f[2].trim() + " is outside " + range);
    }
    long ts = 0;
    if (f.length == 4 && !f[3].isBlank()) {
      try {
        ts = Long.parseLong(f[3].trim());
      } catch (NumberFormatException e) {
        throw new BadRowException(line, "timestamp '" + f[3] + "' is not an integer (epoch seconds)");
      }
    }
    out.add(user, item, (float) rating, ts);
  }

  private static int positiveInt(String s, String what, long line) {
    try {
      int v = Integer.parseInt(s.trim());
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadRowException(line, what + " '" + s + "' is not a positive integer");
  }
}
