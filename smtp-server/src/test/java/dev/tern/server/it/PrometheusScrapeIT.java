package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.server.testing.Checkout;
import dev.tern.server.testing.LocalPrometheus;
import dev.tern.server.testing.Loopback;
import dev.tern.server.testing.PrometheusApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes a real Tern every second and evaluates Tern's alert
 * rules: two messages are delivered to a local Maildir and one waits in the queue for a smarthost
 * that refuses connections, and Prometheus' query API then reads the accepted and delivered counts
 * and the queue depth back. Everything is on 127.0.0.1: the smarthost is an address, so no DNS either.
 */
class PrometheusScrapeIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static TernFixture tern;
    private static LocalPrometheus prometheus;

    @BeforeAll
    static void start() throws Exception {
        int refusing = Loopback.freePort();
        tern = TernFixture.start(
                dir.resolve("tern"),
                Map.of(
                        "TERN_DELIVERY_ENABLED",
                        "true",
                        "TERN_DELIVERY_ROUTES",
                        "remote.test=127.0.0.1:" + refusing + " none"));
        int management = tern.server().managementAddress().getPort();
        prometheus = LocalPrometheus.start(
                dir.resolve("prometheus"),
                """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: tern
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """
                        .formatted(Checkout.file("docker/prometheus/alerts.yaml"), management));
        send("bob@local.test", "carol@local.test", "someone@remote.test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        tern.close();
    }

    @Test
    void readsAcceptedDeliveredAndQueueDepthBackThroughPrometheus() throws Exception {
        PrometheusApi api = prometheus.api();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(api.sum("smtp_server_messages_accepted_total")).isEqualTo(3.0);
            assertThat(api.sum("smtp_relay_delivery_attempts_total{kind=\"local\",outcome=\"delivered\"}"))
                    .isEqualTo(2.0);
            assertThat(api.sum("tern_queue_messages{state=\"deferred\"}")).isEqualTo(1.0);
        });
        assertThat(api.sum("smtp_relay_delivery_attempts_total{kind=\"smarthost\",outcome=\"deferred\"}"))
                .isEqualTo(1.0);
        assertThat(api.sum("tern_queue_oldest_age_seconds")).isPositive();
        assertThat(api.query("up{job=\"tern\"}")).singleElement().satisfies(up -> {
            assertThat(up.value()).isEqualTo(1.0);
            assertThat(up.labels())
                    .containsEntry(
                            "instance",
                            "127.0.0.1:" + tern.server().managementAddress().getPort());
        });
    }

    @Test
    void evaluatesEveryAlertRuleWithoutError() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            List<JsonNode> rules = new ArrayList<>();
            prometheus.api().get("/api/v1/rules").path("groups").forEach(g -> g.path("rules")
                    .forEach(rules::add));
            assertThat(rules).hasSize(10).allSatisfy(rule -> {
                assertThat(rule.path("health").asText()).as(rule.toString()).isEqualTo("ok");
                assertThat(rule.path("lastEvaluation").asText()).doesNotStartWith("0001-");
            });
        });
        // A healthy Tern with one deferred message: nothing to alert on.
        assertThat(prometheus.api().query("ALERTS")).isEmpty();
    }

    /** One message per recipient, over the mx listener from 127.0.0.1 (a trusted network: it may relay). */
    private static void send(String... recipients) {
        for (String recipient : recipients) {
            try (RawSmtpClient c = tern.connect(tern.mx())) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("MAIL FROM:<sender@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<" + recipient + ">").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.command("Subject: scraped\r\n\r\nhello\r\n.").code())
                        .isEqualTo(250);
                assertThat(c.command("QUIT").code()).isEqualTo(221);
            }
        }
    }
}
