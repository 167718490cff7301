package io.mlserve.reliability;

import io.mlserve.store.Collections;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every malformed request of {@code src/test/resources/corpus/*.jsonl} against the whole application:
 * each must get a 4xx with a JSON error, none a 5xx, the service must be healthy afterwards and no collection may
 * have changed.
 */
class BadInputCorpusTest {

  static List<JsonObject> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(BadInputCorpusTest.class.getResource("/corpus").toURI());
    List<JsonObject> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            all.add(new JsonObject(line).put("file", f.getFileName().toString()));
          }
        }
      }
    }
    return all;
  }

  private static Buffer body(JsonObject entry) {
    if (entry.containsKey("body")) {
      return Buffer.buffer(entry.getString("body"), "UTF-8");
    }
    if (entry.containsKey("json")) {
      return Buffer.buffer(io.vertx.core.json.Json.encode(entry.getValue("json")));
    }
    if (entry.containsKey("repeat")) {
      JsonObject r = entry.getJsonObject("repeat");
      return Buffer.buffer(r.getString("prefix", "") + r.getString("text").repeat(r.getInteger("times"))
          + r.getString("suffix", ""));
    }
    return null;
  }

  private static Map<String, Long> counts(TestApp app) throws Exception {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String c : List.of(Collections.INTERACTIONS, Collections.RECOMMENDATIONS, Collections.COVERTYPE,
        Collections.QUARANTINE, Collections.EXPERIMENTS, Collections.MODELS, Collections.PIPELINE_RUNS,
        Collections.JOBS, Collections.MODEL_SELECTION)) {
      counts.put(c, app.app().services().mongo().count(c, new JsonObject())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    return counts;
  }

  /** State outside the collection counts that a request could change: models and stages, feed schedule, log level. */
  private static Map<String, Object> otherState(TestApp app, WebClient client) throws Exception {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("models", app.app().services().mongo().find(Collections.MODELS, new JsonObject())
        .map(docs -> docs.stream().map(d -> d.getString("name") + ":" + d.getInteger("version") + ":"
            + d.getString("stage")).sorted().toList())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    for (String path : List.of("/feed/status", "/admin/log-level")) {
      JsonObject body = client.get(app.port(), "127.0.0.1", path).send().map(r -> r.bodyAsJsonObject())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      state.put(path, path.equals("/feed/status") ? body.getValue("restarts") : body.getValue("level"));
    }
    return state;
  }

  @Test
  @DisplayName("every malformed request gets a 4xx JSON error; no 5xx; healthy after; no data changed")
  void corpusIsRejectedCleanly() throws Exception {
    List<JsonObject> corpus = corpus();
    // WebClient buffers each answer whole. The raw HttpClient with resp.body() attached in a later callback lost
    // bodies that arrived first (about one request in 200 then waited 30 s): a client race, not the server's.
    Vertx vertx = Vertx.vertx();
    try (TestApp app = TestApp.start(java.util.EnumSet.allOf(io.mlserve.app.Role.class),
        TestApp.withShippedModel(new JsonObject()))) {
      WebClient client = WebClient.create(vertx);
      Map<String, Long> before = counts(app);
      Map<String, Object> stateBefore = otherState(app, client);
      List<String> failures = new ArrayList<>();
      Map<String, Map<Integer, Integer>> byFile = new java.util.TreeMap<>();
      int fourxx = 0;
      for (JsonObject e : corpus) {
        var request = client.request(HttpMethod.valueOf(e.getString("method")), app.port(), "127.0.0.1",
            e.getString("path")).timeout(30_000);
        if (e.containsKey("json")) {
          request.putHeader("Content-Type", "application/json");
        }
        e.getJsonObject("headers", new JsonObject()).forEach(h -> request.putHeader(h.getKey(), (String) h.getValue()));
        Buffer body = body(e);
        Future<Map.Entry<Integer, String>> sent = (body == null ? request.send() : request.sendBuffer(body))
            .map(resp -> Map.entry(resp.statusCode(), resp.bodyAsString() == null ? "" : resp.bodyAsString()));
        int status;
        String text;
        try {
          var resp = sent.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
          status = resp.getKey();
          text = resp.getValue();
        } catch (Exception ex) {
          failures.add(e.getString("name") + ": transport failure " + ex);
          continue;
        }
        Object expect = e.getValue("expect");
        boolean statusOk = expect instanceof Number n ? status == n.intValue() : status >= 400 && status < 500;
        boolean jsonError;
        try {
          jsonError = new JsonObject(text).getString("error") != null;
        } catch (RuntimeException notJson) {
          jsonError = false;
        }
        if (status >= 400 && status < 500) {
          fourxx++;
        }
        byFile.computeIfAbsent(e.getString("file"), f -> new java.util.TreeMap<>()).merge(status, 1, Integer::sum);
        if (!statusOk || !jsonError) {
          failures.add(e.getString("file") + " '" + e.getString("name") + "': expected " + expect + " with a JSON"
              + " error, got " + status + " " + abbreviate(text));
        }
      }
      byFile.forEach((file, statuses) -> System.out.printf("bad-input corpus %-22s %3d requests, statuses %s%n",
          file, statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses));
      assertThat(failures).as("requests not rejected cleanly").isEmpty();
      assertThat(corpus).as("corpus size").hasSizeGreaterThanOrEqualTo(200);
      assertThat(fourxx).isEqualTo(corpus.size());
      assertThat(counts(app)).as("collections unchanged").isEqualTo(before);
      assertThat(otherState(app, client)).as("models, feed schedule and log level unchanged").isEqualTo(stateBefore);
      var ready = client.get(app.port(), "127.0.0.1", "/health/ready").send()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(ready.statusCode()).isEqualTo(200);
      System.out.printf("bad-input corpus: %d requests, %d answered 4xx with a JSON error, 0 5xx%n",
          corpus.size(), fourxx);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
