package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary failures are retried until the queue lifetime ends, then bounced; {@code <>} never is. */
class RetryAndBounceIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SENDER = DeliveryFixture.SENDER;

    @TempDir
    Path dataDir;

    @Test
    void retriesATemporaryRcptFailureAndDeliversOnce() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer().rcptReply("bob@retry.test", "451 4.3.0 try again later");
            tern.host("mx.retry.test", "127.0.0.2", peer);
            tern.dns().mx("retry.test", 10, "mx.retry.test");

            QueueId id = tern.submit("bob@retry.test", "retry");

            await().atMost(WAIT).until(() -> DeliveryFixture.rcptCount(peer) >= 1);
            peer.rcptReply("bob@retry.test", "250 2.1.5 Ok");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(DeliveryFixture.rcptCount(peer))
                    .as("RCPT asked again after the 451")
                    .isGreaterThanOrEqualTo(2);
            // Delivered once, and nothing more comes once it is done.
            await().during(Duration.ofMillis(600))
                    .atMost(WAIT)
                    .until(() -> peer.messages().size() == 1);
            assertThat(tern.allMailboxes()).as("no DSN").isEmpty();
        }
    }

    @Test
    void bouncesToTheSenderWhenTheQueueLifetimeEnds() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "2s"))) {
            ScriptedSmtpPeer peer = tern.peer().rcptReply("bob@busy.test", "451 4.3.0 mailbox busy");
            tern.host("mx.busy.test", "127.0.0.2", peer);
            tern.dns().mx("busy.test", 10, "mx.busy.test");
            long start = System.nanoTime();

            QueueId id = tern.submit("bob@busy.test", "expiry");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            String dsn = tern.mailbox(SENDER).get(0);
            assertThat(Dsns.isReport(dsn)).as(dsn).isTrue();
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            // RFC 3463 3.5: X.4.7, delivery time expired.
            assertThat(Dsns.statuses(dsn)).containsExactly("4.4.7");
            // RFC 3464 2.1: the original headers come back with the report.
            assertThat(dsn).contains("bob@busy.test").contains("Subject: expiry");
            assertThat(waited).as("given up only after the lifetime").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(DeliveryFixture.rcptCount(peer)).as("retried meanwhile").isGreaterThanOrEqualTo(2);
            assertThat(peer.messages()).isEmpty();
            await().atMost(WAIT).until(() -> !tern.queued(id));
        }
    }

    @Test
    void neverBouncesMailFromTheNullSender() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            // RFC 5321 4.5.5 / 6.1: a failed bounce is not bounced; nowhere.test is NXDOMAIN (permanent).
            QueueId id = tern.submit("", List.of("bob@nowhere.test", SENDER), "bounce of a bounce");

            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(tern.dns().queryCount("nowhere.test", "MX"))
                    .as("delivery was tried")
                    .isPositive();
            // The local copy arrived (so Maildir delivery ran), but no DSN joins it, now or a little later.
            await().during(Duration.ofMillis(600)).atMost(WAIT).untilAsserted(() -> assertThat(tern.allMailboxes())
                    .hasSize(1));
            assertThat(Dsns.isReport(tern.allMailboxes().get(0))).isFalse();
            assertThat(tern.server().spool().size()).as("queue empty").isZero();
            assertThat(tern.server().queue().size())
                    .as("scheduling queue empty")
                    .isZero();
        }
    }
}
