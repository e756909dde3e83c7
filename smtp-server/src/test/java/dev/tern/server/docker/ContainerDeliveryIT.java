package dev.tern.server.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** One container for the class: mail in over submission, out to a Maildir, counted on /metrics. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerDeliveryIT {
    private static final String ACCEPTED = "smtp_server_messages_accepted_total";
    private static final String ATTEMPTS = "smtp_relay_delivery_attempts_total";
    private static final Map<String, String> DELIVERED_LOCALLY = Map.of("outcome", "delivered", "kind", "local");

    @Container
    private static final TernContainer TERN = new TernContainer();

    @Test
    void deliversSubmittedMailToTheMaildirAndCountsIt() throws Exception {
        String before = TERN.management("/metrics").body();
        double acceptedBefore = PrometheusText.sum(before, ACCEPTED, Map.of());
        double deliveredBefore = PrometheusText.sum(before, ATTEMPTS, DELIVERED_LOCALLY);
        int inMaildir = TERN.maildirNew("example.test", "bob").size();
        Submission submission =
                new Submission(TernContainer.HOST, TERN.submissionPort(), TERN.trustingItsCertificate());

        for (int i = 1; i <= 3; i++) {
            String reply = submission.send(
                    TernContainer.USER,
                    TernContainer.PASSWORD,
                    "alice@example.test",
                    "bob@example.test",
                    "container test " + i);
            assertThat(reply).startsWith("250 2.0.0");
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TERN.maildirNew("example.test", "bob"))
                .hasSize(inMaildir + 3));
        String metrics = TERN.management("/metrics").body();
        assertThat(PrometheusText.sum(metrics, ACCEPTED, Map.of())).isEqualTo(acceptedBefore + 3);
        assertThat(PrometheusText.sum(metrics, ATTEMPTS, DELIVERED_LOCALLY)).isEqualTo(deliveredBefore + 3);
        String file = TERN.maildirNew("example.test", "bob").getFirst();
        assertThat(TERN.readFile("/var/lib/tern/mail/example.test/bob/new/" + file))
                .contains("Received: from client.test")
                .contains("Subject: container test");
    }

    @Test
    void refusesSubmissionWithAWrongPassword() throws Exception {
        Submission submission =
                new Submission(TernContainer.HOST, TERN.submissionPort(), TERN.trustingItsCertificate());

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> submission.send(
                        TernContainer.USER, "wrong", "alice@example.test", "bob@example.test", "refused")))
                .isInstanceOf(jakarta.mail.AuthenticationFailedException.class)
                .hasMessageContaining("535");
    }

    @Test
    void ternQueueInsideTheContainerReadsTheQueueThroughTheTokenGuardedApi() throws Exception {
        // docker exec sees the image's TERN_* variables: the management listener and the data directory.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var list = TERN.execInContainer("java", "-jar", "/opt/tern/tern.jar", "queue", "list");
            assertThat(list.getExitCode()).as(list.getStderr()).isZero();
            assertThat(list.getStdout()).isEqualTo("Mail queue is empty\n");
        });
        assertThat(TERN.execInContainer("stat", "-c", "%a %U", TernContainer.DATA + "/admin-token")
                        .getStdout())
                .isEqualTo("600 tern\n");
        assertThat(TERN.management("/admin/queue").statusCode()).as("no token").isEqualTo(401);
    }

    @Test
    void answersHealthChecksOnTheManagementPort() throws Exception {
        HttpResponse<String> live = TERN.management("/health/live");
        HttpResponse<String> ready = TERN.management("/health/ready");

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        // The image's HEALTHCHECK asks /health/ready from inside the container every 10 s.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(TERN.health()).isEqualTo("healthy"));
    }
}
