package dev.tern.server.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tern.server.testing.Checkout;
import dev.tern.server.testing.ExternalTools;
import dev.tern.server.testing.ExternalTools.Run;
import dev.tern.server.testing.PrometheusApi;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The README's compose demo ({@code docker compose -f docker/compose.yaml up --build}) run with Debian's
 * docker-compose: every image built here (Prometheus from Debian's package; Tern is the image the other
 * container tests use, built from docker/Dockerfile as the compose file's own build section would build it,
 * which this test checks, so that a fresh machine builds Tern inside Docker once, not twice), the demo's one
 * message relayed by Tern to the peer and stored in its Maildir, and Prometheus scraping both Terns with the
 * alert rules loaded. A project of its own, free host ports, removed at the end.
 */
class ComposeDemoIT {
    private static final Duration BUILD_AND_START = Duration.ofMinutes(20);
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String PEER_MAILDIR = "/var/lib/tern/mail/peer.test/someone/new";

    private final String project =
            "tern-demo-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, String> environment = new HashMap<>(Map.of(
            "BUILD_IMAGE", TernImage.BUILD_IMAGE,
            "RUNTIME_IMAGE", TernImage.RUNTIME_IMAGE,
            // Empty: Docker picks free ports on 127.0.0.1, so a running demo or Tern is no obstacle.
            "TERN_DEMO_SMTP_PORT", "",
            "TERN_DEMO_METRICS_PORT", "",
            "TERN_DEMO_PROMETHEUS_PORT", ""));

    @Test
    void theDemoMessageReachesThePeerAndPrometheusScrapesBothTerns() throws Exception {
        // Under CI=true a missing engine fails DockerInCiIT, and this test with it.
        assumeTrue(
                "true".equals(System.getenv("CI"))
                        || DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine");
        ExternalTools.require("docker-compose", "docker-compose");
        environment.put("TERN_IMAGE", TernImage.image().get(BUILD_AND_START.toMinutes(), TimeUnit.MINUTES));
        assertTernBuildsAsTernImageDoes();
        try {
            Run build = compose(BUILD_AND_START, "build", "prometheus");
            assertThat(build.exit()).as(tail(build.output())).isZero();
            Run up = compose(BUILD_AND_START, "up", "--no-build", "--detach");
            assertThat(up.exit()).as(tail(up.output())).isZero();

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(demoExit()).as(logs()).isEqualTo("exited 0"));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(peerMaildir()).as(logs()).hasSize(1));
            String delivered = compose(COMMAND, "exec", "-T", "peer", "sh", "-c", "cat " + PEER_MAILDIR + "/*")
                    .output();
            assertThat(delivered)
                    .contains("Delivered-To: someone@peer.test\n")
                    .contains("Subject: Tern demo\n")
                    .contains("Hello from the Tern demo.")
                    .doesNotContain("\r");

            PrometheusApi prometheus = new PrometheusApi(URI.create("http://" + port("prometheus", 9090)));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(prometheus.sum("up{job=\"tern\",instance=\"tern:9465\"}"))
                        .isEqualTo(1.0);
                assertThat(prometheus.sum("up{job=\"tern\",instance=\"peer:9465\"}"))
                        .isEqualTo(1.0);
                assertThat(
                                prometheus.sum(
                                        "smtp_relay_delivery_attempts_total{instance=\"tern:9465\",kind=\"smarthost\",outcome=\"delivered\"}"))
                        .isEqualTo(1.0);
                assertThat(
                                prometheus.sum(
                                        "smtp_relay_delivery_attempts_total{instance=\"peer:9465\",kind=\"local\",outcome=\"delivered\"}"))
                        .isEqualTo(1.0);
            });
            // Every rule of docker/prometheus/alerts.yaml is loaded, however many there are.
            List<String> loaded = new ArrayList<>();
            prometheus.get("/api/v1/rules").path("groups").forEach(g -> g.path("rules")
                    .forEach(r -> loaded.add(r.path("name").asText())));
            List<String> written = Files.readAllLines(Checkout.file("docker/prometheus/alerts.yaml")).stream()
                    .map(String::strip)
                    .filter(line -> line.startsWith("- alert:"))
                    .map(line -> line.substring("- alert:".length()).strip())
                    .toList();
            assertThat(written).as("the alert rules in alerts.yaml").hasSizeGreaterThanOrEqualTo(9);
            assertThat(loaded).as("the alert rules Prometheus loaded").containsExactlyInAnyOrderElementsOf(written);
        } finally {
            Run down = compose(COMMAND, "down", "--volumes", "--remove-orphans");
            assertThat(down.exit()).as(down.output()).isZero();
        }
    }

    /**
     * The compose file's build section for Tern, as Compose resolves it: the checkout as the context,
     * docker/Dockerfile, and the base images TernImage builds with. Then the image TernImage built is the
     * one {@code up --build} would build, and the test may use it.
     */
    private void assertTernBuildsAsTernImageDoes() throws Exception {
        Run config = compose(COMMAND, "config");
        assertThat(config.exit()).as(config.output()).isZero();
        JsonNode services = new YAMLMapper().readTree(config.output()).path("services");
        for (String service : List.of("tern", "peer", "demo")) {
            JsonNode build = services.path(service).path("build");
            assertThat(Path.of(build.path("context").asText()).toRealPath())
                    .as(service + "'s build context")
                    .isEqualTo(Checkout.root().toRealPath());
            assertThat(build.path("dockerfile").asText()).as(service).isEqualTo("docker/Dockerfile");
            assertThat(build.path("args").path("BUILD_IMAGE").asText()).isEqualTo(TernImage.BUILD_IMAGE);
            assertThat(build.path("args").path("RUNTIME_IMAGE").asText()).isEqualTo(TernImage.RUNTIME_IMAGE);
            assertThat(services.path(service).path("image").asText()).isEqualTo(environment.get("TERN_IMAGE"));
        }
    }

    /** Docker's state of the one-shot demo container: "exited 0" once it sent its message. */
    private String demoExit() throws Exception {
        String id = compose(COMMAND, "ps", "-q", "demo").output().strip();
        if (id.isEmpty()) {
            return "not created";
        }
        var state = DockerClientFactory.instance()
                .client()
                .inspectContainerCmd(id)
                .exec()
                .getState();
        return state.getStatus() + " " + state.getExitCodeLong();
    }

    private List<String> peerMaildir() throws Exception {
        Run ls = compose(COMMAND, "exec", "-T", "peer", "sh", "-c", "ls -1 " + PEER_MAILDIR + " 2>/dev/null || true");
        return ls.output().lines().filter(l -> !l.isBlank()).toList();
    }

    /** {@code host:port} on which Docker published a service's port. */
    private String port(String service, int port) throws Exception {
        Run published = compose(COMMAND, "port", service, Integer.toString(port));
        assertThat(published.exit()).as(published.output()).isZero();
        return published.output().strip();
    }

    private String logs() throws Exception {
        return tail(compose(COMMAND, "logs", "--no-color", "--tail=40").output());
    }

    private Run compose(Duration timeout, String... arguments) throws Exception {
        Path composeFile = Checkout.file("docker/compose.yaml");
        List<String> command = new ArrayList<>(List.of(
                ExternalTools.require("docker-compose", "docker-compose").toString(),
                "--project-name",
                project,
                "--file",
                composeFile.toString()));
        command.addAll(List.of(arguments));
        return ExternalTools.run(Checkout.root(), environment, timeout, command.toArray(String[]::new));
    }

    /** The end of a long output (a build's), where what went wrong is. */
    private static String tail(String output) {
        return output.length() <= 6000 ? output : "..." + output.substring(output.length() - 6000);
    }
}
