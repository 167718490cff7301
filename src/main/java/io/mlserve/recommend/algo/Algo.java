package io.mlserve.recommend.algo;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The recommendation algorithms a user can ask for; {@link #POPULARITY} is also the cold-start fallback. */
public enum Algo {
  USER, ITEM, HYBRID, CLUSTER, POPULARITY;

  /** What clients may request per user (popularity is the fallback, not a choice). */
  public static final List<Algo> SERVED = List.of(USER, ITEM, HYBRID, CLUSTER);
  public static final Algo DEFAULT = HYBRID;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The algorithm named {@code s} (case-insensitive), or null. */
  public static Algo parse(String s) {
    if (s == null) {
      return null;
    }
    for (Algo a : values()) {
      if (a.id().equalsIgnoreCase(s.trim())) {
        return a;
      }
    }
    return null;
  }

  public static List<String> servedIds() {
    return SERVED.stream().map(Algo::id).toList();
  }

  @Override
  public String toString() {
    return id();
  }

  static List<Algo> all() {
    return Arrays.asList(values());
  }
}
