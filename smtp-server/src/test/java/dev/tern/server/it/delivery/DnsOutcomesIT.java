package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What DNS answers do to a message: null MX, MX at ourselves, NXDOMAIN bounce; SERVFAIL waits. */
class DnsOutcomesIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SENDER = DeliveryFixture.SENDER;

    @TempDir
    Path dataDir;

    @Test
    void bouncesNullMxWithoutConnecting() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer();
            // The domain has an address too: using it as an implicit MX would reach the peer.
            LoopbackForwarder forwarder = tern.host("nomail.test", "127.0.0.2", peer);
            tern.dns().nullMx("nomail.test");

            QueueId id = tern.submit("bob@nomail.test", "null mx");

            // RFC 7505 4.2: fail at once with 5.1.10, no connection attempted.
            String dsn = awaitOneDsn(tern);
            assertThat(Dsns.statuses(dsn)).containsExactly("5.1.10");
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            assertThat(dsn).contains("bob@nomail.test").contains("Subject: null mx");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(forwarder.connections()).isZero();
            assertThat(peer.sessions()).isEmpty();
        }
    }

    @Test
    void bouncesAnMxListThatPointsAtItself() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer();
            LoopbackForwarder forwarder = tern.host(DeliveryFixture.HOSTNAME, "127.0.0.2", peer);
            tern.dns().mx("loop.test", 10, DeliveryFixture.HOSTNAME);

            tern.submit("bob@loop.test", "mail loop");

            // RFC 5321 5.1: we are the best exchanger, yet not the destination: a routing loop.
            String dsn = awaitOneDsn(tern);
            assertThat(Dsns.statuses(dsn)).containsExactly("5.4.6");
            assertThat(forwarder.connections()).isZero();
        }
    }

    @Test
    void defersOnServfailAndDeliversOnceDnsAnswers() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer();
            tern.host("mx.flaky.test", "127.0.0.2", peer);
            tern.dns().servfail("flaky.test");

            QueueId id = tern.submit("bob@flaky.test", "servfail");

            // Asked again on retry (first retry after 200ms): the failure was temporary.
            await().atMost(WAIT).until(() -> tern.dns().queryCount("flaky.test", "MX") >= 2);
            assertThat(tern.queued(id)).as("still queued").isTrue();
            assertThat(tern.allMailboxes()).as("no bounce").isEmpty();
            assertThat(peer.sessions()).isEmpty();

            tern.dns().clear().mx("flaky.test", 10, "mx.flaky.test").a("mx.flaky.test", "127.0.0.2");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(tern.allMailboxes()).isEmpty();
        }
    }

    @Test
    void bouncesNxdomainAtOnce() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            // nowhere.test has no records at all: the responder answers NXDOMAIN.
            QueueId id = tern.submit("bob@nowhere.test", "nxdomain");

            String dsn = awaitOneDsn(tern);
            assertThat(Dsns.statuses(dsn)).containsExactly("5.1.2");
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            // Permanent: asked once, never retried.
            assertThat(tern.dns().queryCount("nowhere.test", "MX")).isEqualTo(1);
        }
    }

    private static String awaitOneDsn(DeliveryFixture tern) {
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
        String dsn = tern.mailbox(SENDER).get(0);
        assertThat(Dsns.isReport(dsn)).as("a multipart/report DSN:%n%s", dsn).isTrue();
        return dsn;
    }
}
