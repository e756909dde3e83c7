package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.testing.LogLines;
import dev.tern.relay.testing.PeerSession;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a message travels: a reused connection, STARTTLS, a smarthost with AUTH, a local Maildir. */
class TransportIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void reusesOneConnectionWithNoRsetBetweenTakenMessages() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer();
            LoopbackForwarder forwarder = tern.host("mx.reuse.test", "127.0.0.2", peer);
            tern.dns().mx("reuse.test", 10, "mx.reuse.test");

            for (int i = 1; i <= 3; i++) {
                tern.submit("bob@reuse.test", "reuse " + i);
                int delivered = i;
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(peer.messages()).hasSize(delivered));
            }

            assertThat(forwarder.connections()).as("TCP connections").isEqualTo(1);
            assertThat(peer.sessions()).hasSize(1);
            var commands = peer.sessions().get(0).commands();
            assertThat(commands.stream().filter(c -> c.startsWith("EHLO"))).hasSize(1);
            assertThat(commands.stream().filter(c -> c.startsWith("MAIL"))).hasSize(3);
            // RFC 5321 4.1.1.4: the 250 to each message ended its transaction, so the next starts with MAIL.
            assertThat(commands).doesNotContain("RSET");
            for (int i = 0; i < commands.size(); i++) {
                if (commands.get(i).startsWith("MAIL") && i > 1) {
                    assertThat(commands.get(i - 1))
                            .as("before MAIL at %d: %s", i, commands)
                            .isEqualTo("DATA");
                }
            }
        }
    }

    @Test
    void startsTlsWithAPeerWhoseCertificateIsSelfSigned() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer().extensions("PIPELINING", "STARTTLS", "8BITMIME");
            tern.host("mx.tls.test", "127.0.0.2", peer);
            tern.dns().mx("tls.test", 10, "mx.tls.test");

            tern.submit("bob@tls.test", "opportunistic tls");

            // RFC 3207: opportunistic, so an unverifiable certificate still encrypts.
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            PeerSession session = peer.sessions().get(0);
            assertThat(session.tls()).isTrue();
            // RFC 3207 4.2: EHLO again after the handshake; the transaction is after STARTTLS.
            assertThat(session.commands()).startsWith("EHLO " + DeliveryFixture.HOSTNAME, "STARTTLS");
            assertThat(session.commands().get(2)).isEqualTo("EHLO " + DeliveryFixture.HOSTNAME);
        }
    }

    @Test
    void relaysThroughASmarthostWithStarttlsAndAuth() throws Exception {
        try (ScriptedSmtpPeer smarthost = ScriptedSmtpPeer.start()
                .extensions("PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN")
                .credentials("bob", "s3cret pass")) {
            Path password = DeliveryFixture.passwordFile(dataDir.resolve("secrets"), "corp-password", "s3cret pass");
            String route = "127.0.0.1:%d starttls user=bob password-file=%s".formatted(smarthost.port(), password);
            try (DeliveryFixture tern = DeliveryFixture.start(
                    dataDir.resolve("tern"), Map.of("routes", "{corp.test: \"" + route + "\"}"))) {
                tern.submit("carol@corp.test", "via smarthost");

                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(smarthost.messages()).hasSize(1));
                PeerSession session = smarthost.sessions().get(0);
                assertThat(session.tls()).isTrue();
                assertThat(session.authenticatedUser()).startsWith("bob ");
                assertThat(smarthost.messages().get(0).rcptTo()).containsExactly("TO:<carol@corp.test>");
                // A configured route is not looked up in DNS.
                assertThat(tern.dns().queryCount("corp.test", "MX")).isZero();
            }
        }
    }

    @Test
    void resolvesASmarthostsNameWithTheConfiguredDnsServer() throws Exception {
        try (ScriptedSmtpPeer smarthost = ScriptedSmtpPeer.start()) {
            // Only the test's DNS server knows this name: the JDK's resolver (resolv.conf) would not find it.
            String route = "smarthost.corp.test:%d none".formatted(smarthost.port());
            try (DeliveryFixture tern =
                    DeliveryFixture.start(dataDir, Map.of("routes", "{corp.test: \"" + route + "\"}"))) {
                tern.dns().a("smarthost.corp.test", "127.0.0.1");

                tern.submit("carol@corp.test", "smarthost by name");

                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(smarthost.messages()).hasSize(1));
                assertThat(tern.dns().queryCount("smarthost.corp.test", "A")).isEqualTo(1);
                assertThat(tern.dns().queryCount("corp.test", "MX")).isZero();
                // The metrics read the route the router followed.
                await().atMost(WAIT).untilAsserted(() -> assertThat(tern.server()
                                .meterRegistry()
                                .counter("smtp.relay.delivery.attempts", "kind", "smarthost", "outcome", "delivered")
                                .count())
                        .isEqualTo(1.0));
            }
        }
    }

    @Test
    void defersTheRecipientWhenTheReplyToTheFinalDotDoesNotComeWithinTheTimeout() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(
                        dataDir, Map.of("final-dot-timeout", "300ms", "first-retry", "1m", "max-retry", "1m"));
                LogLines log = LogLines.of(SmtpClient.class)) {
            ScriptedSmtpPeer peer = tern.peer().reply(".", ScriptedSmtpPeer.HANG);
            tern.host("mx.slow.test", "127.0.0.2", peer);
            tern.dns().mx("slow.test", 10, "mx.slow.test");

            QueueId id = tern.submit("bob@slow.test", "no final reply");

            // RFC 5321 4.5.3.2.6: the server may have taken the message, so it is kept and tried again later.
            await().atMost(WAIT).untilAsserted(() -> assertThat(log.lines()).anySatisfy(line -> assertThat(line)
                    .contains(id.toString())
                    .contains("within 300ms")
                    .contains("may be delivered twice")));
            assertThat(tern.queued(id)).isTrue();
            assertThat(peer.sessions()).hasSize(1);
        }
    }

    @Test
    void deliversToALocalMaildir() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            tern.submit("carol@" + DeliveryFixture.LOCAL, "local");

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox("carol@" + DeliveryFixture.LOCAL))
                    .hasSize(1));
            String message = tern.mailbox("carol@" + DeliveryFixture.LOCAL).get(0);
            // Spooled with CRLF, stored with LF as Postfix, Exim and Dovecot store Maildir files.
            assertThat(message)
                    .startsWith("Return-Path: <" + DeliveryFixture.SENDER + ">\n")
                    .contains("Delivered-To: carol@" + DeliveryFixture.LOCAL + "\n")
                    .contains("Subject: local\n")
                    .contains("\n.a line that needs its dot stuffed\n")
                    .doesNotContain("\r");
            assertThat(tern.dns().queries()).as("no DNS for a local domain").isEmpty();
            Path maildir =
                    dataDir.resolve("mail").resolve(DeliveryFixture.LOCAL).resolve("carol");
            assertThat(maildir.resolve("tmp")).isEmptyDirectory();
        }
    }
}
