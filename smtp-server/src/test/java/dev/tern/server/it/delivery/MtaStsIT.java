package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestPolicyServer;
import dev.tern.server.it.BlockingCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MTA-STS end to end: the in-test DNS answers the {@code _mta-sts} TXT record and points {@code
 * mta-sts.DOMAIN} at 127.0.0.1, where a Netty HTTPS server with a certificate from the test's CA serves
 * the policy ({@code delivery.mta-sts.port}); mail exchangers are scripted peers with real TLS.
 */
class MtaStsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DOMAIN = "sts.test";

    @TempDir
    Path dataDir;

    private final TestCa ca = new TestCa("Tern test CA");
    private final TestPolicyServer policies = TestPolicyServer.start(ca, "mta-sts." + DOMAIN);

    @AfterEach
    void stopPolicyServer() throws Exception {
        policies.close();
    }

    private DeliveryFixture start(String mode, Map<String, String> more) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tls-trust-file", ca.writePem(dataDir.resolve("ca.pem")).toString());
        keys.put("mta-sts", "{port: " + policies.port() + ", timeout: 3s}");
        keys.putAll(more);
        DeliveryFixture tern = DeliveryFixture.start(dataDir, keys);
        publish(tern, mode);
        return tern;
    }

    private void publish(DeliveryFixture tern, String mode) {
        tern.dns().txt("_mta-sts." + DOMAIN, "v=STSv1; id=20261204T0700;").a("mta-sts." + DOMAIN, "127.0.0.1");
        policies.policy(
                "mta-sts." + DOMAIN,
                "version: STSv1\nmode: " + mode + "\nmx: mx1.sts.test\nmx: *.backup.sts.test\nmax_age: 86400\n");
    }

    private ScriptedSmtpPeer tlsPeer(DeliveryFixture tern, String certifiedName) {
        ScriptedSmtpPeer peer = tern.peer().extensions("PIPELINING", "STARTTLS");
        if (certifiedName != null) {
            TestCa.Issued issued = ca.issue(certifiedName);
            peer.certificate(issued.key(), issued.chain());
        }
        return peer;
    }

    private static double count(DeliveryFixture tern, String outcome) {
        return tern.server()
                .meterRegistry()
                .counter("smtp.relay.tls.policy", "policy", "mta-sts", "outcome", outcome)
                .count();
    }

    @Test
    void enforceDeliversToAListedExchangerWithVerifiedTls() throws Exception {
        try (DeliveryFixture tern = start("enforce", Map.of())) {
            ScriptedSmtpPeer listed = tlsPeer(tern, "mx1.sts.test");
            tern.host("mx1.sts.test", "127.0.0.2", listed);
            tern.dns().mx(DOMAIN, 10, "mx1.sts.test");

            tern.submit("bob@" + DOMAIN, "enforced");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(listed.messages()).hasSize(1));
            assertThat(listed.sessions().get(0).tls()).isTrue();
            assertThat(policies.requests()).containsExactly("mta-sts.sts.test/.well-known/mta-sts.txt");
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(count(tern, "met")).isEqualTo(1.0));
        }
    }

    @Test
    void enforceNeverUsesAnExchangerThePolicyDoesNotList() throws Exception {
        try (DeliveryFixture tern = start("enforce", Map.of("first-retry", "1m", "max-retry", "1m"))) {
            ScriptedSmtpPeer unlisted = tlsPeer(tern, "mx0.sts.test");
            ScriptedSmtpPeer backup = tlsPeer(tern, "a.backup.sts.test");
            LoopbackForwarder toUnlisted = tern.host("mx0.sts.test", "127.0.0.2", unlisted);
            tern.host("a.backup.sts.test", "127.0.0.3", backup);
            tern.dns().mx(DOMAIN, 5, "mx0.sts.test").mx(DOMAIN, 20, "a.backup.sts.test");

            tern.submit("bob@" + DOMAIN, "listed only");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(backup.messages()).hasSize(1));
            assertThat(toUnlisted.connections()).isZero();
            assertThat(count(tern, "failed")).isEqualTo(1.0);
            // Counted once the 250 is read, which may be after the peer has the message.
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(count(tern, "met")).isEqualTo(1.0));
        }
    }

    @Test
    void enforceDefersWhenTheListedExchangerCannotVerify() throws Exception {
        try (DeliveryFixture tern = start("enforce", Map.of("queue-lifetime", "2s"))) {
            // A self-signed certificate: encrypted, but not verified.
            ScriptedSmtpPeer listed = tlsPeer(tern, null);
            tern.host("mx1.sts.test", "127.0.0.2", listed);
            tern.dns().mx(DOMAIN, 10, "mx1.sts.test");

            tern.submit("bob@" + DOMAIN, "not verified");

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                    .hasSize(1));
            assertThat(listed.messages()).isEmpty();
            assertThat(Dsns.fields(tern.mailbox(DeliveryFixture.SENDER).get(0), "Diagnostic-Code"))
                    .singleElement()
                    .asString()
                    .contains("mx1.sts.test [127.0.0.2]: MTA-STS policy (enforce) not met")
                    .contains("certificate not trusted");
        }
    }

    @Test
    void testingDeliversAnywayAndCountsTheFailure() throws Exception {
        try (DeliveryFixture tern = start("testing", Map.of())) {
            ScriptedSmtpPeer listed = tlsPeer(tern, null);
            tern.host("mx1.sts.test", "127.0.0.2", listed);
            tern.dns().mx(DOMAIN, 10, "mx1.sts.test");

            tern.submit("bob@" + DOMAIN, "testing");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(listed.messages()).hasSize(1));
            assertThat(count(tern, "testing-failed")).isEqualTo(1.0);
            assertThat(count(tern, "failed")).isZero();
        }
    }

    @Test
    void testingStillUsesAnExchangerThePolicyDoesNotList() throws Exception {
        try (DeliveryFixture tern = start("testing", Map.of())) {
            ScriptedSmtpPeer unlisted = tern.peer();
            tern.host("mx0.sts.test", "127.0.0.2", unlisted);
            tern.dns().mx(DOMAIN, 10, "mx0.sts.test");

            tern.submit("bob@" + DOMAIN, "unlisted");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(unlisted.messages()).hasSize(1));
            assertThat(count(tern, "testing-failed")).isEqualTo(1.0);
        }
    }

    @Test
    void fetchingAndKeepingAPolicyNeverBlocksAnEventLoop() throws Exception {
        BlockingCalls.install();
        BlockingCalls.forget();
        try (DeliveryFixture tern = start("testing", Map.of())) {
            // Both a verified handshake that fails and the plaintext-capable retry run on the loops.
            ScriptedSmtpPeer listed = tlsPeer(tern, null);
            tern.host("mx1.sts.test", "127.0.0.2", listed);
            tern.dns().mx(DOMAIN, 10, "mx1.sts.test");

            tern.submit("bob@" + DOMAIN, "watched");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(listed.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> Files.exists(dataDir.resolve("mta-sts-policies")));
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void aCachedPolicyStillAppliesAfterARestartWithThePolicyHostDown() throws Exception {
        try (DeliveryFixture tern = start("enforce", Map.of("first-retry", "1m", "max-retry", "1m"))) {
            ScriptedSmtpPeer listed = tlsPeer(tern, "mx1.sts.test");
            tern.host("mx1.sts.test", "127.0.0.2", listed);
            tern.dns().mx(DOMAIN, 10, "mx1.sts.test");
            tern.submit("bob@" + DOMAIN, "first");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(listed.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> Files.exists(dataDir.resolve("mta-sts-policies")));

            policies.close();
            tern.restart();
            // Now an exchanger the policy does not list comes first, in plaintext.
            ScriptedSmtpPeer unlisted = tern.peer();
            LoopbackForwarder toUnlisted = tern.host("mx0.sts.test", "127.0.0.3", unlisted);
            tern.dns().mx(DOMAIN, 5, "mx0.sts.test");
            tern.submit("carol@" + DOMAIN, "second");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(listed.messages()).hasSize(2));
            assertThat(toUnlisted.connections()).isZero();
            assertThat(count(tern, "failed")).isEqualTo(1.0);
        }
    }
}
