package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestCa.Issued;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code delivery.tls-policy} against scripted mail exchangers with real TLS handshakes: certificates are
 * issued by a CA made for the test, which Tern trusts through {@code delivery.tls-trust-file}. A policy
 * that cannot be met never falls back to plaintext: the host is skipped, and with no host left the
 * recipient is deferred with 4.7.5, which the final DSN names.
 */
class OutboundTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private final TestCa ca = new TestCa("Tern test CA");

    private DeliveryFixture start(String policies, Map<String, String> more) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tls-policy", policies);
        keys.put("tls-trust-file", ca.writePem(dataDir.resolve("ca.pem")).toString());
        keys.putAll(more);
        return DeliveryFixture.start(dataDir, keys);
    }

    private DeliveryFixture start(String policies) {
        return start(policies, Map.of());
    }

    private ScriptedSmtpPeer tlsPeer(DeliveryFixture tern, Issued certificate) {
        ScriptedSmtpPeer peer = tern.peer().extensions("PIPELINING", "STARTTLS");
        return certificate == null ? peer : peer.certificate(certificate.key(), certificate.chain());
    }

    private static double policyCount(DeliveryFixture tern, String policy, String outcome) {
        return tern.server()
                .meterRegistry()
                .counter("smtp.relay.tls.policy", "policy", policy, "outcome", outcome)
                .count();
    }

    @Test
    void noneNeverStartsTlsEvenWhenOffered() throws Exception {
        try (DeliveryFixture tern = start("{none.test: none}")) {
            ScriptedSmtpPeer peer = tern.exchanger("none.test", "127.0.0.2", tlsPeer(tern, null));

            tern.submit("bob@none.test", "none");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).commands()).doesNotContain("STARTTLS");
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT).untilAsserted(() -> assertThat(policyCount(tern, "none", "met"))
                    .isEqualTo(1.0));
        }
    }

    @Test
    void mayDeliversInPlaintextWhenStartTlsIsNotOffered() throws Exception {
        try (DeliveryFixture tern = start("{may.test: may}")) {
            ScriptedSmtpPeer peer = tern.exchanger("may.test", "127.0.0.2", tern.peer());

            tern.submit("bob@may.test", "may");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).tls()).isFalse();
        }
    }

    @Test
    void encryptAcceptsASelfSignedCertificate() throws Exception {
        try (DeliveryFixture tern = start("{encrypt.test: encrypt}")) {
            ScriptedSmtpPeer peer = tern.exchanger("encrypt.test", "127.0.0.2", tlsPeer(tern, null));

            tern.submit("bob@encrypt.test", "encrypt");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).tls()).isTrue();
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT).untilAsserted(() -> assertThat(policyCount(tern, "encrypt", "met"))
                    .isEqualTo(1.0));
        }
    }

    @Test
    void encryptWithoutStartTlsDefersAndTheDsnNamesThePolicy() throws Exception {
        try (DeliveryFixture tern = start("{encrypt.test: encrypt}", Map.of("queue-lifetime", "2s"))) {
            ScriptedSmtpPeer peer = tern.exchanger("encrypt.test", "127.0.0.2", tern.peer());

            QueueId id = tern.submit("bob@encrypt.test", "encrypt refused");

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                    .hasSize(1));
            assertThat(peer.messages()).isEmpty();
            assertThat(peer.sessions()).allSatisfy(s -> assertThat(s.commands()).noneMatch(c -> c.startsWith("MAIL")));
            String dsn = tern.mailbox(DeliveryFixture.SENDER).get(0);
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            assertThat(Dsns.fields(dsn, "Diagnostic-Code"))
                    .singleElement()
                    .asString()
                    .contains("mx.encrypt.test [127.0.0.2]")
                    .contains("TLS policy encrypt not met")
                    .contains("STARTTLS required but not offered");
            assertThat(policyCount(tern, "encrypt", "failed")).isPositive();
            await().atMost(WAIT).until(() -> !tern.queued(id));
        }
    }

    @Test
    void verifyDeliversToACertificateForTheExchangersName() throws Exception {
        try (DeliveryFixture tern = start("{verify.test: verify}")) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("verify.test", "127.0.0.2", tlsPeer(tern, ca.issue("mx.verify.test")));

            tern.submit("bob@verify.test", "verified");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).tls()).isTrue();
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT).untilAsserted(() -> assertThat(policyCount(tern, "verify", "met"))
                    .isEqualTo(1.0));
        }
    }

    @Test
    void verifyAcceptsAWildcardInTheLeftMostLabel() throws Exception {
        try (DeliveryFixture tern = start("{.verify.test: verify}")) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("sub.verify.test", "127.0.0.2", tlsPeer(tern, ca.issue("*.sub.verify.test")));

            tern.submit("bob@sub.verify.test", "wildcard");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
        }
    }

    @Test
    void verifySkipsAWrongNameAndAnUntrustedCertificateForTheNextExchanger() throws Exception {
        try (DeliveryFixture tern = start("{verify.test: verify}", Map.of("first-retry", "1m", "max-retry", "1m"))) {
            ScriptedSmtpPeer wrongName = tlsPeer(tern, ca.issue("mx.elsewhere.test"));
            ScriptedSmtpPeer untrusted = tlsPeer(tern, null);
            ScriptedSmtpPeer good = tlsPeer(tern, ca.issue("mx3.verify.test"));
            tern.host("mx1.verify.test", "127.0.0.2", wrongName);
            tern.host("mx2.verify.test", "127.0.0.3", untrusted);
            tern.host("mx3.verify.test", "127.0.0.4", good);
            tern.dns()
                    .mx("verify.test", 10, "mx1.verify.test")
                    .mx("verify.test", 20, "mx2.verify.test")
                    .mx("verify.test", 30, "mx3.verify.test");

            tern.submit("bob@verify.test", "next exchanger");

            // Within the first attempt (the retry would be a minute away).
            await().atMost(WAIT).untilAsserted(() -> assertThat(good.messages()).hasSize(1));
            assertThat(wrongName.messages()).isEmpty();
            assertThat(untrusted.messages()).isEmpty();
            assertThat(wrongName.sessions()).hasSize(1);
            assertThat(untrusted.sessions()).hasSize(1);
            // Never in plaintext after the failed handshake.
            assertThat(wrongName.sessions().get(0).commands()).noneMatch(c -> c.startsWith("MAIL"));
            assertThat(policyCount(tern, "verify", "failed")).isEqualTo(2.0);
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT).untilAsserted(() -> assertThat(policyCount(tern, "verify", "met"))
                    .isEqualTo(1.0));
        }
    }

    @Test
    void verifyDefersWhenNoExchangerHasAValidCertificate() throws Exception {
        try (DeliveryFixture tern = start("{verify.test: verify}", Map.of("queue-lifetime", "2s"))) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("verify.test", "127.0.0.2", tlsPeer(tern, ca.issue("mx.elsewhere.test")));

            tern.submit("bob@verify.test", "wrong name");

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                    .hasSize(1));
            assertThat(peer.messages()).isEmpty();
            String dsn = tern.mailbox(DeliveryFixture.SENDER).get(0);
            assertThat(Dsns.fields(dsn, "Diagnostic-Code"))
                    .singleElement()
                    .asString()
                    .contains("mx.verify.test [127.0.0.2]: TLS policy verify not met")
                    .contains("not mx.verify.test");
            assertThat(policyCount(tern, "verify", "failed")).isPositive();
        }
    }
}
