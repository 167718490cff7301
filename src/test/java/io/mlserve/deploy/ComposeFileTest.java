package io.mlserve.deploy;

import io.mlserve.app.Role;
import io.mlserve.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Docker has no engine on the development machines, so the deployment files are checked by reading them: every
 * service, command, port, environment variable and health-check path they name must exist in the app.
 */
class ComposeFileTest {
  private static final Path COMPOSE = Path.of("compose");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws Exception {
    try (Reader r = Files.newBufferedReader(file)) {
      return new Yaml().load(r);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> services() throws Exception {
    return (Map<String, Object>) yaml(COMPOSE.resolve("docker-compose.yml")).get("services");
  }

  @Test
  @DisplayName("compose has MongoDB, Redis, every role, a load balancer, Prometheus and Grafana")
  void servicesPresent() throws Exception {
    assertThat(services()).containsKeys("mongo", "redis", "api", "recommender", "feeder", "trainer", "inference",
        "lb", "prometheus", "grafana");
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("each app service runs clustered with valid roles; api has replicas; mongo keeps a volume")
  void appServices() throws Exception {
    Map<String, Object> services = services();
    List<String> allRoles = new ArrayList<>();
    for (Role role : Role.values()) {
      Map<String, Object> svc = (Map<String, Object>) services.get(role.id());
      List<String> command = (List<String>) svc.get("command");
      assertThat(command).as(role.id()).contains("--cluster");
      String roles = command.get(command.indexOf("--roles") + 1);
      Role.parse(roles); // throws on an unknown role
      allRoles.add(roles);
      assertThat(((Map<String, Object>) svc.get("build")).get("dockerfile")).isEqualTo("compose/Dockerfile");
      List<String> test = (List<String>) ((Map<String, Object>) svc.get("healthcheck")).get("test");
      assertThat(String.join(" ", test)).contains("http://localhost:8080/health/ready");
    }
    assertThat(allRoles).containsExactlyInAnyOrder("api", "recommender", "feeder", "trainer", "inference");
    Map<String, Object> deploy = (Map<String, Object>) ((Map<String, Object>) services.get("api")).get("deploy");
    assertThat((Integer) deploy.get("replicas")).isGreaterThanOrEqualTo(2);
    assertThat((List<String>) ((Map<String, Object>) services.get("mongo")).get("volumes"))
        .anyMatch(v -> v.endsWith(":/data/db"));
    assertThat(Files.isRegularFile(COMPOSE.resolve("Dockerfile"))).isTrue();
  }

  @Test
  @DisplayName("the image makes its class-data archive with its own JVM and starts the service with it")
  void dockerfileClassDataArchive() throws Exception {
    String dockerfile = Files.readString(COMPOSE.resolve("Dockerfile"));
    String runtime = dockerfile.substring(dockerfile.lastIndexOf("FROM "));
    assertThat(runtime).contains("-XX:ArchiveClassesAtExit=/app/mlserve.jsa");
    assertThat(runtime).containsPattern("-jar /app/mlserve.jar warmup");
    assertThat(runtime).contains("java -XX:SharedArchiveFile=/app/mlserve.jsa $JAVA_OPTS -jar /app/mlserve.jar");
    // the build stage's JDK is not the runtime's JRE: an archive made there would be refused
    assertThat(dockerfile.substring(0, dockerfile.lastIndexOf("FROM "))).contains("-Dcds.skip=true");
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("every environment variable the app services set is one the configuration reads")
  void environmentNames() throws Exception {
    Map<String, String> known = ConfigLoader.knownEnvNames();
    Map<String, Object> api = (Map<String, Object>) services().get("api");
    Map<String, Object> env = (Map<String, Object>) api.get("environment");
    assertThat(env).isNotEmpty();
    for (String name : env.keySet()) {
      assertThat(known).as("env %s", name).containsKey(name);
    }
    assertThat(String.valueOf(env.get("MONGO_URI"))).startsWith("mongodb://mongo:");
    assertThat(String.valueOf(env.get("REDIS_URL"))).startsWith("redis://redis:");
  }

  @Test
  @DisplayName("the load balancer proxies to the api replicas on the port the app listens on")
  void nginx() throws Exception {
    String conf = Files.readString(COMPOSE.resolve("nginx/nginx.conf"));
    assertThat(conf).contains("server api:8080").contains("server feeder:8080").contains("location /feed/");
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("Prometheus discovers every role's replicas on /metrics; promtool accepts the config")
  void prometheus() throws Exception {
    Map<String, Object> prom = yaml(COMPOSE.resolve("prometheus/prometheus.yml"));
    Map<String, Object> job = ((List<Map<String, Object>>) prom.get("scrape_configs")).get(0);
    assertThat(job.get("metrics_path")).isEqualTo("/metrics");
    Map<String, Object> dns = ((List<Map<String, Object>>) job.get("dns_sd_configs")).get(0);
    assertThat((List<String>) dns.get("names")).containsExactlyInAnyOrder("api", "recommender", "feeder", "trainer",
        "inference");
    assertThat(dns.get("port")).isEqualTo(8080);

    Path promtool = Path.of("/usr/bin/promtool");
    assumeTrue(Files.isExecutable(promtool), "promtool not installed (Debian package prometheus); skipping its check");
    Process p = new ProcessBuilder(promtool.toString(), "check", "config", "--syntax-only",
        COMPOSE.resolve("prometheus/prometheus.yml").toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  @SuppressWarnings("unchecked")
  @DisplayName("Grafana is provisioned with the Prometheus datasource and the mlserve dashboard")
  void grafana() throws Exception {
    Map<String, Object> ds = yaml(COMPOSE.resolve("grafana/provisioning/datasources/prometheus.yml"));
    Map<String, Object> first = ((List<Map<String, Object>>) ds.get("datasources")).get(0);
    assertThat(first.get("type")).isEqualTo("prometheus");
    assertThat(first.get("url")).isEqualTo("http://prometheus:9090");
    Map<String, Object> dash = yaml(COMPOSE.resolve("grafana/provisioning/dashboards/mlserve.yml"));
    Map<String, Object> provider = ((List<Map<String, Object>>) dash.get("providers")).get(0);
    assertThat(((Map<String, Object>) provider.get("options")).get("path")).isEqualTo("/var/lib/grafana/dashboards");
    assertThat(Files.isRegularFile(COMPOSE.resolve("grafana/dashboards/mlserve.json"))).isTrue();
  }
}
