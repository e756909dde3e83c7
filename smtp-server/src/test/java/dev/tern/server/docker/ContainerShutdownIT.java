package dev.tern.server.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Testcontainers;

/** {@code docker stop} sends SIGTERM; Tern drains and the spool on the volume keeps what was queued. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerShutdownIT {
    /** SIGTERM makes the JVM exit with 128 + 15 once its shutdown hook is done; SIGKILL would give 137. */
    private static final long EXIT_AFTER_SIGTERM = 143;

    private final String volume = "tern-it-" + UUID.randomUUID();

    @AfterEach
    void removeVolume() {
        DockerClientFactory.instance().client().removeVolumeCmd(volume).exec();
    }

    @Test
    void messageQueuedBeforeDockerStopIsDeliveredByTheNextContainerOnTheSameVolume() throws Exception {
        String logs;
        try (TernContainer first = new TernContainer().onVolume(volume).withEnv("TERN_DELIVERY_ENABLED", "false")) {
            first.start();
            Submission submission =
                    new Submission(TernContainer.HOST, first.submissionPort(), first.trustingItsCertificate());
            assertThat(submission.send(
                            TernContainer.USER,
                            TernContainer.PASSWORD,
                            "alice@example.test",
                            "carol@example.test",
                            "queued across a restart"))
                    .startsWith("250 2.0.0");
            assertThat(first.maildirNew("example.test", "carol")).isEmpty();

            assertThat(first.dockerStop(Duration.ofSeconds(30))).isEqualTo(EXIT_AFTER_SIGTERM);
            logs = first.getLogs();
        }
        assertThat(logs).contains("shutting down").contains("stopped");

        try (TernContainer second = new TernContainer().onVolume(volume)) {
            second.start();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(second.maildirNew("example.test", "carol"))
                            .hasSize(1));
            assertThat(second.getLogs()).contains("1 pending messages");
        }
    }
}
