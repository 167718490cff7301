package io.mlserve.app;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The deployable roles of mlserve; {@code --roles} picks a subset, all of them by default. */
public enum Role {
  API, RECOMMENDER, FEEDER, TRAINER, INFERENCE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static String validNames() {
    return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
  }

  /** Parses a comma-separated list; blank means every role. */
  public static Set<Role> parse(String csv) {
    if (csv == null || csv.isBlank()) {
      return EnumSet.allOf(Role.class);
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : csv.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      Role role = Arrays.stream(values()).filter(r -> r.id().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              "unknown role '" + part.trim() + "'; valid roles: " + validNames()));
      roles.add(role);
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("no role given; valid roles: " + validNames());
    }
    return roles;
  }
}
