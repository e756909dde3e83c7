package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.testing.PeerSession;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestCa.Issued;
import dev.tern.relay.testing.TestPolicyServer;
import dev.tern.relay.testing.ZoneKey;
import dev.tern.server.it.BlockingCalls;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DANE end to end (RFC 7672): the zone {@value #DOMAIN} is signed with a key made for the test, by the in-test
 * DNS responder on loopback, and Tern validates from that key ({@code dns.trust-anchor-file}); TLSA records
 * name the mail exchangers' certificates, issued by a CA Tern does not otherwise trust; mail exchangers are
 * scripted peers with real TLS.
 */
class DaneIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DOMAIN = "dane.test";
    private static final String MX = "mx." + DOMAIN;

    @TempDir
    Path dataDir;

    private final ZoneKey zone = ZoneKey.generate(DOMAIN);
    /** Not in any trust file: only TLSA records vouch for its certificates. */
    private final TestCa ca = new TestCa("DANE test CA");

    private TestPolicyServer policies;

    @AfterEach
    void stopPolicyServer() throws Exception {
        if (policies != null) {
            policies.close();
        }
    }

    /** Tern with DANE for every domain, the zone signed and its key as the trust anchor. */
    private DeliveryFixture start(Map<String, String> delivery) throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("dane", "{enabled: true, timeout: 3s}");
        keys.putAll(delivery);
        Path anchor = Files.writeString(dataDir.resolve("anchor.key"), zone.anchor());
        DeliveryFixture tern =
                DeliveryFixture.start(dataDir, keys, Map.of("TERN_DNS_TRUST_ANCHOR_FILE", anchor.toString()));
        tern.dns().sign(zone);
        return tern;
    }

    private DeliveryFixture start() throws Exception {
        return start(Map.of());
    }

    private static ScriptedSmtpPeer tlsPeer(DeliveryFixture tern, Issued certificate) {
        return tern.peer().extensions("PIPELINING", "STARTTLS").certificate(certificate.key(), certificate.chain());
    }

    /** Publishes {@code usage selector matching-type} for {@code certificate} as a TLSA record of {@code host}. */
    private static void tlsa(
            DeliveryFixture tern, String host, int usage, int selector, int matchingType, X509Certificate certificate)
            throws Exception {
        byte[] selected = selector == 0
                ? certificate.getEncoded()
                : certificate.getPublicKey().getEncoded();
        byte[] data =
                switch (matchingType) {
                    case 0 -> selected;
                    case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                    default -> MessageDigest.getInstance("SHA-512").digest(selected);
                };
        tern.dns().tlsa("_" + tern.mxPort() + "._tcp." + host, usage, selector, matchingType, data);
    }

    /** mx1 (preference 10) presents a certificate its TLSA record does not name; mx2 (20) one it does. */
    private record TwoExchangers(ScriptedSmtpPeer impostor, ScriptedSmtpPeer second) {}

    private TwoExchangers mismatchThenMatch(DeliveryFixture tern) throws Exception {
        Issued presented = ca.issue("mx1.dane.test");
        Issued published = ca.issue("mx1.dane.test");
        Issued good = ca.issue("mx2.dane.test");
        ScriptedSmtpPeer impostor = tlsPeer(tern, presented);
        ScriptedSmtpPeer second = tlsPeer(tern, good);
        tern.host("mx1.dane.test", "127.0.0.2", impostor);
        tern.host("mx2.dane.test", "127.0.0.3", second);
        tern.dns().mx(DOMAIN, 10, "mx1.dane.test").mx(DOMAIN, 20, "mx2.dane.test");
        tlsa(tern, "mx1.dane.test", 3, 1, 1, published.chain()[0]);
        tlsa(tern, "mx2.dane.test", 3, 0, 1, good.chain()[0]);
        return new TwoExchangers(impostor, second);
    }

    private static double count(DeliveryFixture tern, String policy, String outcome) {
        return tern.server()
                .meterRegistry()
                .counter("smtp.relay.tls.policy", "policy", policy, "outcome", outcome)
                .count();
    }

    private static boolean sentMail(ScriptedSmtpPeer peer) {
        return peer.sessions().stream().map(PeerSession::commands).anyMatch(commands -> commands.stream()
                .anyMatch(c -> c.startsWith("MAIL")));
    }

    /**
     * The first attempt's deferral of the one recipient of {@code id}, as {@code STATUS DIAGNOSTIC}: the next
     * attempt is a minute away (the tests that call this start Tern with {@link #DEFERRING}).
     */
    private static String deferral(DeliveryFixture tern, QueueId id) {
        AtomicReference<LastAttempt> last = new AtomicReference<>();
        await().atMost(WAIT).untilAsserted(() -> {
            RecipientState state =
                    tern.server().spool().find(id).orElseThrow().states().get(0);
            assertThat(state.kind()).isEqualTo(RecipientState.Kind.DEFERRED);
            last.set(state.last());
        });
        return last.get().status() + " " + last.get().diagnostic();
    }

    /** Retries a minute away: a test sees the first attempt's deferral and nothing after it. */
    private static final Map<String, String> DEFERRING = Map.of("first-retry", "1m", "max-retry", "1m");

    /** Waits for the counter, which the delivery's completion moves after the peer has the message. */
    private static void awaitCount(DeliveryFixture tern, String policy, String outcome, double expected) {
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(count(tern, policy, outcome)).isEqualTo(expected));
    }

    @Test
    void aDaneEeMatchDeliversOverTlsWithoutNameOrRootChecks() throws Exception {
        BlockingCalls.install();
        BlockingCalls.forget();
        try (DeliveryFixture tern = start()) {
            // A certificate for another name, from a CA nobody trusts: DANE-EE(3) vouches for it all the same.
            Issued certificate = ca.issue("unrelated.example");
            ScriptedSmtpPeer peer = tern.exchanger(DOMAIN, "127.0.0.2", tlsPeer(tern, certificate));
            tlsa(tern, MX, 3, 1, 1, certificate.chain()[0]);

            tern.submit("bob@" + DOMAIN, "dane-ee");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).tls()).isTrue();
            awaitCount(tern, "dane", "verified", 1.0);
            assertThat(tern.dns().queryCount("_" + tern.mxPort() + "._tcp." + MX, "TLSA"))
                    .isPositive();
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void aRequireTlsMessageGoesToAHostVouchedForOnlyByItsTlsaRecords() throws Exception {
        try (DeliveryFixture tern = start()) {
            // Neither the JDK nor Tern trusts this CA, and the name is wrong: only DANE-EE makes it verified TLS.
            Issued certificate = ca.issue("unrelated.example");
            ScriptedSmtpPeer peer = tern.exchanger(
                    DOMAIN,
                    "127.0.0.2",
                    tern.peer()
                            .extensions("PIPELINING", "STARTTLS", "REQUIRETLS")
                            .certificate(certificate.key(), certificate.chain()));
            tlsa(tern, MX, 3, 1, 1, certificate.chain()[0]);

            Submitter.submitAuthenticated(
                    tern.server().address("smtps"),
                    DeliveryFixture.USER,
                    DeliveryFixture.PASSWORD,
                    "<" + DeliveryFixture.SENDER + "> REQUIRETLS",
                    List.of("bob@" + DOMAIN),
                    "From: <" + DeliveryFixture.SENDER + ">\r\nSubject: sealed\r\n\r\nbody\r\n");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.messages().get(0).mailFrom()).endsWith(" REQUIRETLS");
            assertThat(peer.sessions().get(0).tls()).isTrue();
            awaitCount(tern, "dane", "verified", 1.0);
        }
    }

    @Test
    void tlsReportsCountDaneSessionsUnderTheTlsaPolicy() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>(DEFERRING);
        keys.put("tls-rpt", "{enabled: true, interval: 2s, organization: Tern Test, contact: tls@tern.test}");
        try (DeliveryFixture tern = start(keys)) {
            TwoExchangers mx = mismatchThenMatch(tern);
            ScriptedSmtpPeer impostor = mx.impostor();
            ScriptedSmtpPeer second = mx.second();
            // The reports go to an unsigned domain: DANE does not apply to them.
            ScriptedSmtpPeer reports = tern.exchanger("reports.test", "127.0.0.4", tern.peer());
            tern.dns().txt("_smtp._tls." + DOMAIN, "v=TLSRPTv1; rua=mailto:tlsrpt@reports.test");

            tern.submit("bob@" + DOMAIN, "reported");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(second.messages()).hasSize(1));
            await().atMost(WAIT).untilAsserted(() -> {
                List<TlsRptIT.Report> received = TlsRptIT.reports(reports);
                assertThat(TlsRptIT.sum(received, DOMAIN, "/summary/total-successful-session-count"))
                        .isEqualTo(1);
                assertThat(TlsRptIT.sum(received, DOMAIN, "/summary/total-failure-session-count"))
                        .isEqualTo(1);
            });
            List<TlsRptIT.Report> received = TlsRptIT.reports(reports);
            assertThat(received).allSatisfy(r -> assertThat(r.domain()).isEqualTo(DOMAIN));
            TlsRptIT.Report withFailure = received.stream()
                    .filter(r -> r.json()
                                    .at("/policies/0/summary/total-failure-session-count")
                                    .asLong()
                            == 1)
                    .findFirst()
                    .orElseThrow();
            assertThat(withFailure.json().at("/policies/0/policy/policy-type").asText())
                    .isEqualTo("tlsa");
            assertThat(withFailure.json().at("/policies/0/policy/policy-domain").asText())
                    .isEqualTo(DOMAIN);
            JsonNode failure = withFailure.json().at("/policies/0/failure-details/0");
            assertThat(failure.get("result-type").asText()).isEqualTo("tlsa-invalid");
            assertThat(failure.get("receiving-mx-hostname").asText()).isEqualTo("mx1.dane.test");
            assertThat(failure.get("receiving-ip").asText()).isEqualTo("127.0.0.2");
            assertThat(impostor.messages()).isEmpty();
        }
    }

    @Test
    void aDaneTaMatchDeliversForADomainSetToDane() throws Exception {
        // DANE off for other domains: the tls-policy entry turns it on for this one.
        try (DeliveryFixture tern = start(Map.of("dane", "{enabled: false}", "tls-policy", "{dane.test: dane}"))) {
            Issued certificate = ca.issue(MX);
            ScriptedSmtpPeer peer = tern.exchanger(DOMAIN, "127.0.0.2", tlsPeer(tern, certificate));
            tlsa(tern, MX, 2, 0, 2, ca.root());

            tern.submit("bob@" + DOMAIN, "dane-ta");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).tls()).isTrue();
            awaitCount(tern, "dane", "verified", 1.0);
        }
    }

    @Test
    void aTlsaMismatchMovesOnToTheNextExchanger() throws Exception {
        try (DeliveryFixture tern = start(Map.of("first-retry", "1m", "max-retry", "1m"))) {
            TwoExchangers mx = mismatchThenMatch(tern);
            ScriptedSmtpPeer impostor = mx.impostor();
            ScriptedSmtpPeer second = mx.second();

            tern.submit("bob@" + DOMAIN, "next");

            // Within the first attempt: the retry would be a minute away.
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(second.messages()).hasSize(1));
            assertThat(impostor.messages()).isEmpty();
            assertThat(sentMail(impostor)).isFalse();
            assertThat(count(tern, "dane", "mismatch")).isEqualTo(1.0);
            awaitCount(tern, "dane", "verified", 1.0);
        }
    }

    @Test
    void aTlsaMismatchEverywhereDefersWith475AndNothingGoesInPlaintext() throws Exception {
        try (DeliveryFixture tern = start(DEFERRING)) {
            ScriptedSmtpPeer impostor = tlsPeer(tern, ca.issue(MX));
            tern.exchanger(DOMAIN, "127.0.0.2", impostor);
            tlsa(tern, MX, 3, 1, 1, ca.issue(MX).chain()[0]);

            QueueId id = tern.submit("bob@" + DOMAIN, "mismatch");

            assertThat(deferral(tern, id))
                    .startsWith("4.7.5 ")
                    .contains(MX + " [127.0.0.2]: DANE not met: TLSA mismatch");
            assertThat(impostor.messages()).isEmpty();
            assertThat(sentMail(impostor)).isFalse();
            assertThat(count(tern, "dane", "mismatch")).isPositive();
        }
    }

    @Test
    void aDaneHostWithoutStartTlsIsNotUsed() throws Exception {
        try (DeliveryFixture tern = start(DEFERRING)) {
            Issued certificate = ca.issue(MX);
            ScriptedSmtpPeer plaintext = tern.exchanger(DOMAIN, "127.0.0.2", tern.peer());
            tlsa(tern, MX, 3, 1, 1, certificate.chain()[0]);

            QueueId id = tern.submit("bob@" + DOMAIN, "no starttls");

            assertThat(deferral(tern, id))
                    .startsWith("4.7.5 ")
                    .contains("DANE not met: STARTTLS required but not offered");
            assertThat(sentMail(plaintext)).isFalse();
            assertThat(count(tern, "dane", "no-tls")).isPositive();
        }
    }

    @ParameterizedTest(name = "a spoiled {0} signature")
    @CsvSource({
        // the host's TLSA RRset: that host is not used
        "TLSA, mx.dane.test: DANE: DNSSEC bogus",
        // the domain's MX RRset: no host is
        "MX, DANE: MX of dane.test: DNSSEC bogus",
    })
    void aBogusSignatureDefersNamingWhatFailed(String type, String expected) throws Exception {
        try (DeliveryFixture tern = start(DEFERRING)) {
            Issued certificate = ca.issue(MX);
            ScriptedSmtpPeer peer = tern.exchanger(DOMAIN, "127.0.0.2", tlsPeer(tern, certificate));
            tlsa(tern, MX, 3, 1, 1, certificate.chain()[0]);
            tern.dns().tamper(type.equals("MX") ? DOMAIN : "_" + tern.mxPort() + "._tcp." + MX, type);

            QueueId id = tern.submit("bob@" + DOMAIN, "bogus " + type);

            assertThat(deferral(tern, id)).startsWith("4.7.5 ").contains(expected);
            assertThat(peer.sessions()).isEmpty();
            assertThat(count(tern, "dane", "bogus")).isPositive();
        }
    }

    @Test
    void anUnsignedZoneFallsBackToMayWhateverItsTlsaRecordsSay() throws Exception {
        try (DeliveryFixture tern = start()) {
            // plain.example is under no trust anchor: its answers are insecure, so its TLSA records count for nothing.
            ScriptedSmtpPeer peer = tern.exchanger("plain.example", "127.0.0.2", tlsPeer(tern, ca.issue("other")));
            tlsa(tern, "mx.plain.example", 3, 1, 1, ca.issue("mx.plain.example").chain()[0]);

            tern.submit("bob@plain.example", "insecure");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.sessions().get(0).tls()).isTrue();
            awaitCount(tern, "may", "met", 1.0);
            assertThat(count(tern, "dane", "verified")).isZero();
        }
    }

    @Test
    void aSignedZoneWithoutTlsaRecordsFollowsItsMtaStsPolicy() throws Exception {
        try (DeliveryFixture tern = startWithMtaSts(DEFERRING)) {
            // The policy wants a certificate from a trusted root naming the host: this one is neither.
            ScriptedSmtpPeer peer = tern.exchanger(DOMAIN, "127.0.0.2", tlsPeer(tern, ca.issue("unrelated.example")));

            QueueId id = tern.submit("bob@" + DOMAIN, "mta-sts rules");

            assertThat(deferral(tern, id)).contains("MTA-STS policy (enforce) not met");
            assertThat(sentMail(peer)).isFalse();
            assertThat(count(tern, "mta-sts", "failed")).isPositive();
        }
    }

    @Test
    void daneWinsOverAnMtaStsPolicyTheHostWouldFail() throws Exception {
        try (DeliveryFixture tern = startWithMtaSts(Map.of())) {
            Issued certificate = ca.issue("unrelated.example");
            ScriptedSmtpPeer peer = tern.exchanger(DOMAIN, "127.0.0.2", tlsPeer(tern, certificate));
            tlsa(tern, MX, 3, 1, 1, certificate.chain()[0]);

            tern.submit("bob@" + DOMAIN, "dane over mta-sts");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            awaitCount(tern, "dane", "verified", 1.0);
            assertThat(count(tern, "mta-sts", "failed")).isZero();
        }
    }

    @Test
    void daneWinsOverAnMtaStsPolicyTheHostWouldMeet() throws Exception {
        try (DeliveryFixture tern = startWithMtaSts(DEFERRING)) {
            // Trusted by the MTA-STS roots and naming the host, but not what the TLSA record names.
            TestCa trusted = policiesCa;
            ScriptedSmtpPeer peer = tern.exchanger(DOMAIN, "127.0.0.2", tlsPeer(tern, trusted.issue(MX)));
            tlsa(tern, MX, 3, 1, 1, ca.issue(MX).chain()[0]);

            QueueId id = tern.submit("bob@" + DOMAIN, "mta-sts cannot rescue");

            assertThat(deferral(tern, id)).startsWith("4.7.5 ").contains("TLSA mismatch");
            assertThat(sentMail(peer)).isFalse();
            assertThat(count(tern, "mta-sts", "met")).isZero();
        }
    }

    /** The CA of the MTA-STS policy host, which Tern trusts (delivery.tls-trust-file). */
    private final TestCa policiesCa = new TestCa("Trusted CA");

    /** As {@link #start()}, and {@value #DOMAIN} publishes an MTA-STS policy in enforce mode listing {@value #MX}. */
    private DeliveryFixture startWithMtaSts(Map<String, String> delivery) throws Exception {
        policies = TestPolicyServer.start(policiesCa, "mta-sts." + DOMAIN);
        Map<String, String> keys = new LinkedHashMap<>(delivery);
        keys.put(
                "tls-trust-file", policiesCa.writePem(dataDir.resolve("ca.pem")).toString());
        keys.put("mta-sts", "{port: " + policies.port() + ", timeout: 3s}");
        DeliveryFixture tern = start(keys);
        tern.dns().txt("_mta-sts." + DOMAIN, "v=STSv1; id=1;").a("mta-sts." + DOMAIN, "127.0.0.1");
        policies.policy("mta-sts." + DOMAIN, "version: STSv1\nmode: enforce\nmx: " + MX + "\nmax_age: 86400\n");
        return tern;
    }
}
