package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.PeerSession;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestCa.Issued;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REQUIRETLS and {@code TLS-Required: No} (RFC 8689) end to end: messages are submitted over implicit TLS
 * (REQUIRETLS is only taken inside TLS) and relayed to scripted mail exchangers with real handshakes and
 * certificates from a CA made for the test. A REQUIRETLS message goes only over verified TLS to a host that
 * offers REQUIRETLS, and is returned at once (5.7.10, 5.7.30) when no host does; the domains here publish no
 * policy of their own.
 */
class RequireTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private final TestCa ca = new TestCa("Tern test CA");

    private DeliveryFixture start(Map<String, String> more) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tls-trust-file", ca.writePem(dataDir.resolve("ca.pem")).toString());
        // A minute between attempts: whatever happens, happens in the first one.
        keys.put("first-retry", "1m");
        keys.put("max-retry", "1m");
        keys.putAll(more);
        return DeliveryFixture.start(dataDir, keys);
    }

    /** A peer with STARTTLS (and the other keywords given), with a certificate for {@code name} or self-signed. */
    private static ScriptedSmtpPeer peer(DeliveryFixture tern, Issued certificate, String... keywords) {
        ScriptedSmtpPeer peer = tern.peer().extensions(keywords);
        return certificate == null ? peer : peer.certificate(certificate.key(), certificate.chain());
    }

    private static void submit(DeliveryFixture tern, String to, String mailParameters, String header) {
        String message = "From: <" + DeliveryFixture.SENDER + ">\r\n" + "To: <" + to + ">\r\n" + header
                + "Subject: for your eyes only\r\n\r\nThe body.\r\n";
        Submitter.submitAuthenticated(
                tern.server().address("smtps"),
                DeliveryFixture.USER,
                DeliveryFixture.PASSWORD,
                "<" + DeliveryFixture.SENDER + ">" + mailParameters,
                List.of(to),
                message);
    }

    private static List<String> mailCommands(ScriptedSmtpPeer peer) {
        return peer.sessions().stream()
                .map(PeerSession::commands)
                .flatMap(List::stream)
                .filter(c -> c.startsWith("MAIL"))
                .toList();
    }

    /** The one DSN the sender got: its Status and Diagnostic-Code fields. */
    private static String bounce(DeliveryFixture tern) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                .hasSize(1));
        String dsn = tern.mailbox(DeliveryFixture.SENDER).get(0);
        assertThat(Dsns.actions(dsn)).containsExactly("failed");
        return String.join("\n", Dsns.statuses(dsn)) + "\n" + String.join("\n", Dsns.fields(dsn, "Diagnostic-Code"));
    }

    @Test
    void relaysOverVerifiedTlsWithRequireTlsOnMail() throws Exception {
        try (DeliveryFixture tern = start(Map.of())) {
            ScriptedSmtpPeer peer = tern.exchanger(
                    "rt.test", "127.0.0.2", peer(tern, ca.issue("mx.rt.test"), "PIPELINING", "STARTTLS", "REQUIRETLS"));

            submit(tern, "bob@rt.test", " REQUIRETLS", "");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.messages().get(0).mailFrom()).endsWith(" REQUIRETLS");
            assertThat(peer.sessions().get(0).tls()).isTrue();
        }
    }

    @Test
    void triesTheNextExchangerWhenOneDoesNotOfferRequireTls() throws Exception {
        try (DeliveryFixture tern = start(Map.of())) {
            ScriptedSmtpPeer without = peer(tern, ca.issue("mx1.rt.test"), "PIPELINING", "STARTTLS");
            ScriptedSmtpPeer with = peer(tern, ca.issue("mx2.rt.test"), "PIPELINING", "STARTTLS", "REQUIRETLS");
            tern.host("mx1.rt.test", "127.0.0.2", without);
            tern.host("mx2.rt.test", "127.0.0.3", with);
            tern.dns().mx("rt.test", 10, "mx1.rt.test").mx("rt.test", 20, "mx2.rt.test");

            submit(tern, "bob@rt.test", " REQUIRETLS", "");

            await().atMost(WAIT).untilAsserted(() -> assertThat(with.messages()).hasSize(1));
            assertThat(without.sessions()).hasSize(1);
            assertThat(mailCommands(without)).isEmpty();
        }
    }

    @Test
    void returnsTheMessageWhenNoExchangerOffersRequireTls() throws Exception {
        try (DeliveryFixture tern = start(Map.of())) {
            ScriptedSmtpPeer peer = tern.exchanger(
                    "rt.test", "127.0.0.2", peer(tern, ca.issue("mx.rt.test"), "PIPELINING", "STARTTLS"));

            submit(tern, "bob@rt.test", " REQUIRETLS", "");

            assertThat(bounce(tern))
                    .contains("5.7.30")
                    .contains("mx.rt.test does not offer REQUIRETLS, which this message requires");
            assertThat(peer.sessions()).hasSize(1);
            assertThat(mailCommands(peer)).isEmpty();
        }
    }

    @Test
    void returnsTheMessageWhenTheCertificateDoesNotVerify() throws Exception {
        try (DeliveryFixture tern = start(Map.of())) {
            // Self-signed: encrypted, but not verified; the domain has no policy, so "may" would take it.
            ScriptedSmtpPeer peer =
                    tern.exchanger("rt.test", "127.0.0.2", peer(tern, null, "PIPELINING", "STARTTLS", "REQUIRETLS"));

            submit(tern, "bob@rt.test", " REQUIRETLS", "");

            assertThat(bounce(tern)).contains("5.7.10").contains("REQUIRETLS (verified TLS) not met");
            assertThat(peer.messages()).isEmpty();
            assertThat(mailCommands(peer)).isEmpty();
        }
    }

    @Test
    void returnsTheMessageWhenTheExchangerOffersNoStartTls() throws Exception {
        try (DeliveryFixture tern = start(Map.of())) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("rt.test", "127.0.0.2", peer(tern, null, "PIPELINING", "REQUIRETLS"));

            submit(tern, "bob@rt.test", " REQUIRETLS", "");

            assertThat(bounce(tern)).contains("5.7.10").contains("STARTTLS required but not offered");
            assertThat(peer.messages()).isEmpty();
        }
    }

    @Test
    void tlsRequiredNoIgnoresAVerifyPolicyTheExchangerCannotMeet() throws Exception {
        try (DeliveryFixture tern = start(Map.of("tls-policy", "{rt.test: verify}"))) {
            ScriptedSmtpPeer peer = tern.exchanger("rt.test", "127.0.0.2", peer(tern, null, "PIPELINING", "STARTTLS"));

            submit(tern, "bob@rt.test", "", "TLS-Required: No\r\n");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            // Opportunistic: encrypted all the same, with the certificate left unchecked.
            assertThat(peer.sessions().get(0).tls()).isTrue();
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.server()
                            .meterRegistry()
                            .counter("smtp.relay.tls.policy", "policy", "tls-required-no", "outcome", "met")
                            .count())
                    .isEqualTo(1.0));
        }
    }

    @Test
    void withoutTlsRequiredNoTheSameMessageWaits() throws Exception {
        try (DeliveryFixture tern = start(Map.of("tls-policy", "{rt.test: verify}"))) {
            ScriptedSmtpPeer peer = tern.exchanger("rt.test", "127.0.0.2", peer(tern, null, "PIPELINING", "STARTTLS"));

            submit(tern, "bob@rt.test", "", "");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.sessions()).isNotEmpty());
            await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> assertThat(peer.messages())
                    .isEmpty());
        }
    }

    @Test
    void theFlagSurvivesARestart() throws Exception {
        try (DeliveryFixture tern = start(Map.of("first-retry", "200ms", "max-retry", "1s", "queue-lifetime", "1m"))) {
            ScriptedSmtpPeer peer = tern.exchanger(
                            "rt.test",
                            "127.0.0.2",
                            peer(tern, ca.issue("mx.rt.test"), "PIPELINING", "STARTTLS", "REQUIRETLS"))
                    .greeting("421 4.3.2 not now");
            submit(tern, "bob@rt.test", " REQUIRETLS", "");
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.sessions()).isNotEmpty());

            tern.restart();
            peer.greeting("220 peer.test ESMTP scripted");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.messages().get(0).mailFrom()).endsWith(" REQUIRETLS");
        }
    }
}
