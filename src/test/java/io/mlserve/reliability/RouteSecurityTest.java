package io.mlserve.reliability;

import io.mlserve.api.ApiRouter;
import io.mlserve.api.Auth;
import io.mlserve.api.Auth.Access;
import io.mlserve.app.Role;
import io.mlserve.app.RoleCatalog;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks every route the router of a process with every role really has and proves the authentication rule of the
 * issue holds for each: classified OPEN/READ/ADMIN in code, documented in openapi.yaml with the same method and the
 * same security mark, and with both keys set: 401 without a key, 401 with the read key on admin routes, not 401
 * with the right key.
 */
class RouteSecurityTest {
  private static final String ADMIN_KEY = "admin-key-for-tests";
  private static final String READ_KEY = "read-key-for-tests";
  /** Served without being API operations: the redirect to /docs and Swagger UI's static files. */
  private static final Set<String> UNDOCUMENTED = Set.of("GET /docs/", "GET /docs/ui/");
  /** Client calls that change data but are not administration: guarded by the read key (see README). */
  private static final Set<String> CLIENT_WRITES = Set.of("POST /interactions", "POST /predict");

  record Op(String method, String path, Access access) {
    String key() {
      return method + " " + path;
    }

    /** The path as openapi.yaml writes it: {@code :name} becomes {@code {name}}. */
    String openApiPath() {
      return path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    }

    /** A concrete URI: every path parameter becomes "1" (unknown ids answer 404); Swagger UI's prefix an asset. */
    String uri() {
      return path.equals("/docs/ui/") ? "/docs/ui/index.html" : path.replaceAll(":[A-Za-z0-9_]+", "1");
    }
  }

  static List<Op> routes(Router router) {
    List<Op> ops = new ArrayList<>();
    for (Route r : router.getRoutes()) {
      if (r.getPath() == null || r.methods() == null || r.methods().isEmpty()) {
        continue; // cross-cutting handlers (access log, timeout, body, failures)
      }
      for (HttpMethod m : r.methods()) {
        ops.add(new Op(m.name(), r.getPath(), Auth.accessOf(r)));
      }
    }
    return ops;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> openApiOperations() throws Exception {
    try (InputStream in = RouteSecurityTest.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> doc = new Yaml().load(in);
      Map<String, Map<String, Object>> ops = new LinkedHashMap<>();
      ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, item) -> item.forEach((method, op) -> {
        if (!method.equals("parameters")) {
          ops.put(method.toUpperCase(Locale.ROOT) + " " + path, (Map<String, Object>) op);
        }
      }));
      Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) doc.get("components"))
          .get("securitySchemes");
      assertThat(schemes).as("openapi securitySchemes").containsKey("bearerAuth");
      return ops;
    }
  }

  @Test
  @DisplayName("every route is classified, documented with its security mark, and guarded by the right key")
  void everyRouteIsGuardedAsDocumented() throws Exception {
    JsonObject keys = new JsonObject().put("security", new JsonObject()
        .put("adminKey", ADMIN_KEY).put("readKey", READ_KEY));
    try (TestApp app = TestApp.start(EnumSet.allOf(Role.class), TestApp.withShippedModel(keys))) {
      Vertx vertx = app.app().vertx();
      Router router = ApiRouter.create(vertx, app.app().services(), RoleCatalog.routes(app.app().services()));
      List<Op> ops = routes(router);
      Map<String, Map<String, Object>> documented = openApiOperations();
      assertThat(ops).as("routes found").hasSizeGreaterThan(25);

      List<String> problems = new ArrayList<>();
      Set<String> served = new TreeSet<>();
      for (Op op : ops) {
        served.add(op.method() + " " + op.openApiPath());
        if (op.access() == null) {
          problems.add(op.key() + ": declared without Auth.open/read/admin");
          continue;
        }
        boolean operational = op.path().startsWith("/health/") || op.path().equals("/metrics")
            || op.path().startsWith("/docs") || op.path().equals("/openapi.yaml") || op.path().equals("/version");
        if (operational != (op.access() == Access.OPEN)) {
          problems.add(op.key() + ": is " + op.access() + " but only health, metrics, docs, openapi and version are"
              + " open");
        }
        boolean stateChanging = !op.method().equals("GET");
        if (stateChanging && !CLIENT_WRITES.contains(op.key()) && op.access() != Access.ADMIN) {
          problems.add(op.key() + ": changes state but is " + op.access() + ", not ADMIN");
        }
        if (!stateChanging && op.access() == Access.ADMIN) {
          problems.add(op.key() + ": a read route needs the admin key");
        }
        if (UNDOCUMENTED.contains(op.key())) {
          continue;
        }
        Map<String, Object> doc = documented.get(op.method() + " " + op.openApiPath());
        if (doc == null) {
          problems.add(op.key() + ": not in openapi.yaml as " + op.method() + " " + op.openApiPath());
          continue;
        }
        Object security = doc.get("security");
        Object mark = doc.get("x-mlserve-access");
        if (op.access() == Access.OPEN) {
          if (security != null && !((List<?>) security).isEmpty() || mark != null) {
            problems.add(op.key() + ": open in code but openapi marks it " + mark + " / " + security);
          }
        } else if (!String.valueOf(security).equals("[{bearerAuth=[]}]")
            || !op.access().name().toLowerCase(Locale.ROOT).equals(mark)) {
          problems.add(op.key() + ": " + op.access() + " in code but openapi has security " + security
              + " and x-mlserve-access " + mark);
        }
      }
      for (String op : documented.keySet()) {
        if (!served.contains(op)) {
          problems.add(op + ": in openapi.yaml but the router has no such route");
        }
      }
      assertThat(problems).as("route classification and documentation").isEmpty();

      WebClient client = WebClient.create(vertx);
      int checked = 0;
      for (Op op : ops) {
        int anonymous = send(client, app.port(), op, null);
        int withRead = send(client, app.port(), op, READ_KEY);
        int withAdmin = send(client, app.port(), op, ADMIN_KEY);
        int wrong = send(client, app.port(), op, ADMIN_KEY + "x");
        int expectAnonymous = op.access() == Access.OPEN ? -1 : 401;
        if ((expectAnonymous == 401) != (anonymous == 401) || (op.access() != Access.OPEN && wrong != 401)) {
          problems.add(op.key() + " (" + op.access() + "): without a key " + anonymous + ", wrong key " + wrong);
        }
        if ((op.access() == Access.ADMIN) != (withRead == 401)) {
          problems.add(op.key() + " (" + op.access() + "): with the read key " + withRead);
        }
        if (withAdmin == 401 || withAdmin >= 500) {
          problems.add(op.key() + " (" + op.access() + "): with the admin key " + withAdmin);
        }
        checked++;
      }
      assertThat(problems).as("answers with and without keys").isEmpty();
      System.out.printf("route security: %d routes checked (%d admin, %d read, %d open)%n", checked,
          ops.stream().filter(o -> o.access() == Access.ADMIN).count(),
          ops.stream().filter(o -> o.access() == Access.READ).count(),
          ops.stream().filter(o -> o.access() == Access.OPEN).count());
    }
  }

  /**
   * Sends the route a request that cannot change anything even when authorised: bodies carry an unknown field, so
   * every state-changing route rejects them with 4xx after the key check, and path ids do not exist.
   */
  private static int send(WebClient client, int port, Op op, String key) throws Exception {
    HttpRequest<Buffer> req = client.request(HttpMethod.valueOf(op.method()), port, "127.0.0.1", op.uri());
    if (key != null) {
      req.bearerTokenAuthentication(key);
    }
    Future<Integer> status = op.method().equals("POST") || op.method().equals("PUT")
        ? req.putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"probe\": true}")).map(r -> r.statusCode())
        : req.send().map(r -> r.statusCode());
    return status.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
