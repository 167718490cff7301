package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import io.mlserve.store.EmbeddedMongo;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every write strategy is idempotent and counts new vs existing rows exactly, including a partly stored batch. */
class CovertypeWriterTest {
  private static TestApp app;
  private static MongoClient mongo;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(EnumSet.of(Role.API), new JsonObject());
    mongo = app.app().services().mongo();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(CovertypeWriter.Strategy.class)
  @DisplayName("first load, partial rerun and full rerun store each row once and count new vs existing")
  void idempotent(CovertypeWriter.Strategy strategy) throws Exception {
    await(CovertypeWriter.clear(mongo));
    FeedSource source = FeedSource.synthetic(11, 700);
    List<Object> rows = new ArrayList<>(source.rows());
    rows.set(5, "not a row");
    BatchRows.Prepared all = BatchRows.prepare(source.fingerprint(), 0, 0, rows);
    BatchRows.Prepared part = BatchRows.prepare(source.fingerprint(), 0, 0, rows.subList(0, 250));

    CovertypeWriter writer = new CovertypeWriter(mongo, 64, 3, strategy);
    CovertypeWriter.Counts first = await(writer.write(part));
    assertThat(first.inserted()).isEqualTo(249);
    assertThat(first.quarantinedNew()).isEqualTo(1);

    CovertypeWriter.Counts rest = await(new CovertypeWriter(mongo, 64, 3, strategy).write(all));
    assertThat(rest.inserted()).isEqualTo(450);
    assertThat(rest.existing()).isEqualTo(249);
    assertThat(rest.quarantinedNew()).isZero();
    assertThat(rest.quarantinedExisting()).isEqualTo(1);

    CovertypeWriter.Counts again = await(new CovertypeWriter(mongo, 64, 3, strategy).write(all));
    assertThat(again.inserted()).isZero();
    assertThat(again.existing()).isEqualTo(699);
    assertThat(await(mongo.count(Collections.COVERTYPE, new JsonObject()))).isEqualTo(699);
    assertThat(await(writer.countSource(source.fingerprint()))).isEqualTo(699);
    assertThat(await(mongo.count(Collections.QUARANTINE, new JsonObject()))).isEqualTo(1);
  }

  @Test
  @DisplayName("every feed.write.strategy name the config accepts maps to a writer strategy")
  void strategyNames() {
    assertThat(io.mlserve.config.FeedConfig.Write.STRATEGIES).map(CovertypeWriter.Strategy::of)
        .containsExactlyInAnyOrder(CovertypeWriter.Strategy.values());
  }

  @Test
  @DisplayName("after a crash left documents the H2 _id index does not know, a rerun still stores every row once")
  void orphanedDocumentsAfterCrash(@TempDir Path dir) throws Exception {
    JsonObject cfg = new JsonObject().put("dataDir", dir.toString())
        .put("mongo", new JsonObject().put("embeddedBackend", "h2"));
    FeedSource source = FeedSource.synthetic(12, 300);
    BatchRows.Prepared all = BatchRows.prepare(source.fingerprint(), 0, 0, source.rows());
    try (TestApp first = TestApp.start(EnumSet.of(Role.API), cfg)) {
      CovertypeWriter.Counts c = await(new CovertypeWriter(first.app().services().mongo(), 100, 2).write(all));
      assertThat(c.inserted()).isEqualTo(300);
    }
    // what a kill -9 between the H2 backend's two commits leaves: documents stored, their index entries lost
    MVStore store = new MVStore.Builder().fileName(dir.resolve(EmbeddedMongo.H2_FILE).toString()).open();
    try {
      MVMap<Object, Object> index = store.openMap("mlserve." + Collections.COVERTYPE + "._index__id_");
      assertThat(index.size()).isEqualTo(300);
      Iterator<Object> keys = index.keyIterator(null);
      List<Object> lost = new ArrayList<>();
      for (int i = 0; i < 25 && keys.hasNext(); i++) {
        lost.add(keys.next());
      }
      lost.forEach(index::remove);
      store.commit();
    } finally {
      store.close();
    }
    try (TestApp second = TestApp.start(EnumSet.of(Role.API), cfg)) {
      MongoClient m = second.app().services().mongo();
      CovertypeWriter.Counts again = await(new CovertypeWriter(m, 100, 2).write(all));
      assertThat(again.inserted() + again.existing()).isEqualTo(300);
      assertThat(again.inserted()).isZero();
      assertThat(await(m.count(Collections.COVERTYPE, new JsonObject()))).isEqualTo(300);
    }
  }
}
