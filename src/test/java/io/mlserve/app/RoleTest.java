package io.mlserve.app;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoleTest {
  @Test
  @DisplayName("no --roles means every role")
  void all() {
    assertThat(Role.parse(null)).isEqualTo(EnumSet.allOf(Role.class));
    assertThat(Role.parse(" ")).isEqualTo(EnumSet.allOf(Role.class));
  }

  @Test
  @DisplayName("a comma-separated list selects those roles, case and spaces ignored")
  void subset() {
    assertThat(Role.parse("api, Recommender")).containsExactlyInAnyOrder(Role.API, Role.RECOMMENDER);
  }

  @Test
  @DisplayName("an unknown role is refused with the valid names listed")
  void unknown() {
    assertThatThrownBy(() -> Role.parse("api,foo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown role 'foo'; valid roles: api, recommender, feeder, trainer, inference");
  }
}
