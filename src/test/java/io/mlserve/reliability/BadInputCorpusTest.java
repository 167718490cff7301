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
      return Buffer.buffer(r.getString("text").repeat(r.getInteger("times")));
    }
    return null;
  }

  private static Map<String, Long> counts(TestApp app) throws Exception {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String c : List.of(Collections.INTERACTIONS, Collections.RECOMMENDATIONS, Collections.COVERTYPE,
        Collections.QUARANTINE, Collections.EXPERIMENTS, Collections.MODELS, Collections.PIPELINE_RUNS)) {
      counts.put(c, app.app().services().mongo().count(c, new JsonObject())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
    return counts;
  }

  @Test
  @DisplayName("every malformed request gets a 4xx JSON error; no 5xx; healthy after; no data changed")
  void corpusIsRejectedCleanly() throws Exception {
    List<JsonObject> corpus = corpus();
    try (TestApp app = TestApp.start(java.util.EnumSet.allOf(io.mlserve.app.Role.class),
        TestApp.withShippedModel(new JsonObject()))) {
      Vertx vertx = app.app().vertx();
      WebClient client = WebClient.create(vertx);
      Map<String, Long> before = counts(app);
      List<String> failures = new ArrayList<>();
      int fourxx = 0;
      for (JsonObject e : corpus) {
        var request = client.request(HttpMethod.valueOf(e.getString("method")), app.port(), "127.0.0.1",
            e.getString("path")).timeout(30_000);
        if (e.containsKey("json")) {
          request.putHeader("Content-Type", "application/json");
        }
        e.getJsonObject("headers", new JsonObject()).forEach(h -> request.putHeader(h.getKey(), (String) h.getValue()));
        Buffer body = body(e);
        // WebClient buffers the whole answer: no window where body bytes could arrive before a handler is set
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
        if (!statusOk || !jsonError) {
          failures.add(e.getString("file") + " '" + e.getString("name") + "': expected " + expect + " with a JSON"
              + " error, got " + status + " " + abbreviate(text));
        }
      }
      assertThat(failures).as("requests not rejected cleanly").isEmpty();
      assertThat(fourxx).isEqualTo(corpus.size());
      assertThat(counts(app)).as("collections unchanged").isEqualTo(before);
      var ready = client.get(app.port(), "127.0.0.1", "/health/ready").send()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(ready.statusCode()).isEqualTo(200);
      System.out.printf("bad-input corpus: %d requests, %d answered 4xx with a JSON error, 0 5xx%n",
          corpus.size(), fourxx);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
