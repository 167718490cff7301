package io.mlserve.feed;

import io.mlserve.covertype.CovertypeGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plain-Java pieces of the feed: schedule, batching, back-off, row keys and validation into quarantine. */
class FeedAlgorithmsTest {
  static final String HEADER = "Elevation,Aspect,Slope,Horizontal_Distance_To_Hydrology,"
      + "Vertical_Distance_To_Hydrology,Horizontal_Distance_To_Roadways,Hillshade_9am,Hillshade_Noon,Hillshade_3pm,"
      + "Horizontal_Distance_To_Fire_Points,Wilderness_Area,Soil_Type,Cover_Type\n";
  static final String GOOD = "3351,206,27,726,124,3813,192,252,180,2271,Rawah,C8771,1\n";

  @Test
  @DisplayName("schedule: batch k is released at start + k * interval; restart starts the clock again")
  void schedule() {
    AtomicLong now = new AtomicLong(1_000_000);
    FeedSchedule s = new FeedSchedule(10, 5000, now::get);
    assertThat(s.released()).isEqualTo(1);
    assertThat(s.isReleased(0)).isTrue();
    assertThat(s.isReleased(1)).isFalse();
    assertThat(s.msUntil(1)).isEqualTo(5000);
    now.addAndGet(4999);
    assertThat(s.released()).isEqualTo(1);
    now.addAndGet(1);
    assertThat(s.released()).isEqualTo(2);
    assertThat(s.msUntil(3)).isEqualTo(10_000);
    now.addAndGet(100_000);
    assertThat(s.released()).isEqualTo(10);
    s.restart();
    assertThat(s.released()).isEqualTo(1);
    assertThat(s.restarts()).isEqualTo(1);
    assertThat(new FeedSchedule(3, 0, now::get).released()).isEqualTo(3);
  }

  @Test
  @DisplayName("batching covers every row exactly once, in order, with sizes differing by at most one")
  void batching() {
    for (int[] c : new int[][] {{10, 15_000}, {7, 100}, {10, 3}, {1, 1}, {3, 10}}) {
      int batches = c[0];
      int rows = c[1];
      int expectedNext = 0;
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (int k = 0; k < batches; k++) {
        assertThat(FeedSchedule.firstRow(k, batches, rows)).isEqualTo(expectedNext);
        int n = FeedSchedule.rowCount(k, batches, rows);
        expectedNext += n;
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
      assertThat(expectedNext).isEqualTo(rows);
      assertThat(max - min).isLessThanOrEqualTo(1);
    }
  }

  @Test
  @DisplayName("back-off doubles from the initial delay up to the cap, jittered between half and all of it")
  void backoff() {
    Backoff low = new Backoff(200, 10_000, () -> 0.0);
    Backoff high = new Backoff(200, 10_000, () -> 0.999_999);
    assertThat(low.delayMs(1)).isEqualTo(100);
    assertThat(high.delayMs(1)).isEqualTo(200);
    assertThat(high.delayMs(2)).isEqualTo(400);
    assertThat(high.delayMs(3)).isEqualTo(800);
    assertThat(high.delayMs(7)).isEqualTo(10_000);
    assertThat(high.delayMs(1_000_000)).isEqualTo(10_000);
    assertThat(low.delayMs(1_000_000)).isEqualTo(5_000);
    assertThatThrownBy(() -> new Backoff(100, 50, Math::random)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("CSV source: values typed by the schema, empty cell = missing field, identical rows kept apart")
  void csvTyping() {
    String csv = HEADER + GOOD + GOOD + "2000,,5,1,2,3,4,5,6,7,Neota,C2702,2\n"
        + "2000,1,abc,1,2,3,4,5,6,7,Cache,C2702,3\n" + "2000,1,2.5,1,2,3,4,5,6,7,0123,C2702,3\n";
    FeedSource src = FeedSource.parse("csv", "test.csv", csv.getBytes(StandardCharsets.UTF_8));
    assertThat(src.size()).isEqualTo(5);
    assertThat(src.rows().get(0)).containsEntry("Elevation", 3351).containsEntry("Soil_Type", "C8771")
        .containsEntry("Cover_Type", 1);
    assertThat(src.rows().get(1)).isEqualTo(src.rows().get(0));
    assertThat(src.rows().get(2)).doesNotContainKey("Aspect");
    assertThat(src.rows().get(3)).containsEntry("Slope", "abc");
    assertThat(src.rows().get(4)).containsEntry("Slope", 2.5).containsEntry("Wilderness_Area", "0123");
    assertThat(src.fingerprint()).startsWith("sha256:").hasSize(7 + 64);
    assertThat(FeedSource.parse("csv", "again", csv.getBytes(StandardCharsets.UTF_8)).fingerprint())
        .isEqualTo(src.fingerprint());
  }

  @Test
  @DisplayName("CSV source: a header without the schema's columns or a file without rows is refused")
  void csvHeader() {
    assertThatThrownBy(() -> FeedSource.parse("csv", "bad.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks Elevation");
    assertThatThrownBy(() -> FeedSource.parse("csv", "empty.csv", HEADER.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no data rows");
  }

  @Test
  @DisplayName("synthetic source: the same seed gives the same rows and fingerprint, another seed another one")
  void synthetic() {
    FeedSource a = FeedSource.synthetic(7, 300);
    FeedSource b = FeedSource.synthetic(7, 300);
    FeedSource c = FeedSource.synthetic(8, 300);
    assertThat(a.rows()).isEqualTo(b.rows());
    assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).isNotEqualTo(c.fingerprint());
    assertThat(a.rows().get(0)).isEqualTo(new LinkedHashMap<>(new CovertypeGenerator(7).next()));
  }

  @Test
  @DisplayName("rows are keyed by source and position: duplicates stay distinct, every invalid row is quarantined")
  void prepare() {
    List<Object> rows = new ArrayList<>();
    Map<String, Object> good = new LinkedHashMap<>(new CovertypeGenerator(1).next());
    rows.add(good);
    rows.add(new LinkedHashMap<>(good));
    Map<String, Object> missing = new LinkedHashMap<>(good);
    missing.remove("Slope");
    rows.add(missing);
    Map<String, Object> wrongType = new LinkedHashMap<>(good);
    wrongType.put("Elevation", "high");
    rows.add(wrongType);
    Map<String, Object> unknown = new LinkedHashMap<>(good);
    unknown.put("Wilderness_Area", "Narnia");
    rows.add(unknown);
    rows.add(42);
    BatchRows.Prepared p = BatchRows.prepare("sha256:abcdef0123456789abcdef", 3, 1000, rows);
    assertThat(p.valid()).hasSize(2);
    assertThat(p.valid().get(0)).containsEntry("_id", "abcdef0123456789:1000").containsEntry("row", 1000L)
        .containsEntry("batch", 3).containsEntry("source", "abcdef0123456789");
    assertThat(p.valid().get(1).get("_id")).isEqualTo("abcdef0123456789:1001");
    assertThat(p.quarantined()).extracting(BatchRows.Quarantined::field)
        .containsExactly("Slope", "Elevation", "Wilderness_Area", null);
    assertThat(p.quarantined().get(0).reason()).isEqualTo("missing field Slope");
    assertThat(p.quarantined().get(1).reason()).contains("must be an integer");
    assertThat(p.quarantined().get(2).allowed()).contains("Rawah", "Cache");
    assertThat(p.quarantined().get(3).reason()).contains("JSON object");
    Set<String> keys = new HashSet<>();
    p.valid().forEach(d -> keys.add((String) d.get("_id")));
    p.quarantined().forEach(q -> keys.add(q.key()));
    assertThat(keys).hasSize(rows.size());
  }
}
