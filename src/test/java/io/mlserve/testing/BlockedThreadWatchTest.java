package io.mlserve.testing;

import io.mlserve.app.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockedThreadWatchTest {

  @Test
  @DisplayName("an app whose event loop was blocked fails its test when it is closed")
  void detectsBlockedEventLoop() throws Exception {
    TestApp app = TestApp.start(EnumSet.of(Role.API), new JsonObject());
    CountDownLatch done = new CountDownLatch(1);
    app.app().vertx().runOnContext(v -> {
      try {
        // over the 2 s event-loop limit by more than the checker's 1 s period, so one check always sees it
        Thread.sleep(3500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.countDown();
    });
    done.await(10, TimeUnit.SECONDS);
    Thread.sleep(1200); // the checker runs once a second
    assertThatThrownBy(app::close).isInstanceOf(AssertionError.class).hasMessageContaining("blocked");
  }
}
