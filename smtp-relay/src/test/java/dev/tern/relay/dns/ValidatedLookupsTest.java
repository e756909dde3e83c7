package dev.tern.relay.dns;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.relay.dns.ValidatedLookups.Answer;
import dev.tern.relay.dns.ValidatedLookups.Security;
import dev.tern.relay.testing.TestDnsServer;
import dev.tern.relay.testing.ZoneKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/** Validated questions against a zone the test signs, served on loopback, with the zone's key as the anchor. */
class ValidatedLookupsTest {
    private final TestDnsServer dns = TestDnsServer.start();
    private final ZoneKey key = ZoneKey.generate("dane.test");

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    private ValidatedLookups lookups(ZoneKey anchor) throws IOException {
        DnssecAnchors anchors = DnssecAnchors.parse(anchor.anchor(), "test");
        return new ValidatedLookups(ResolverFixture.options(dns), anchors, Duration.ofSeconds(5), Clock.systemUTC());
    }

    private static Answer ask(ValidatedLookups lookups, String name, int type) throws Exception {
        return lookups.lookup(Name.fromString(name, Name.root), type)
                .toCompletableFuture()
                .get(10, SECONDS);
    }

    @Test
    void aSignedAnswerIsSecure() throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx.dane.test").tlsa("_25._tcp.mx.dane.test", 3, 1, 1, new byte[32]);
        ValidatedLookups lookups = lookups(key);

        Answer mx = ask(lookups, "dane.test", Type.MX);
        Answer tlsa = ask(lookups, "_25._tcp.mx.dane.test", Type.TLSA);

        assertThat(mx.security()).isEqualTo(Security.SECURE);
        assertThat(mx.records()).hasSize(1);
        assertThat(tlsa.security()).isEqualTo(Security.SECURE);
        assertThat(tlsa.records()).singleElement().isInstanceOf(TLSARecord.class);
    }

    @Test
    void signedDenialsAreSecure() throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx.dane.test").a("mx.dane.test", "127.0.0.2");
        ValidatedLookups lookups = lookups(key);

        Answer nodata = ask(lookups, "mx.dane.test", Type.TLSA);
        Answer nxdomain = ask(lookups, "_25._tcp.mx.dane.test", Type.TLSA);
        Answer nodataAtApex = ask(lookups, "dane.test", Type.TXT);

        assertThat(nodata.security()).isEqualTo(Security.SECURE);
        assertThat(nodata.records()).isEmpty();
        assertThat(nodata.nxdomain()).isFalse();
        assertThat(nxdomain.security()).isEqualTo(Security.SECURE);
        assertThat(nxdomain.nxdomain()).isTrue();
        assertThat(nodataAtApex.security()).isEqualTo(Security.SECURE);
    }

    @Test
    void aNameNoAnchorCoversIsInsecure() throws Exception {
        dns.sign(key).mx("plain.example", 10, "mx.plain.example");
        ValidatedLookups lookups = lookups(key);

        Answer mx = ask(lookups, "plain.example", Type.MX);

        assertThat(mx.security()).isEqualTo(Security.INSECURE);
        assertThat(mx.records()).hasSize(1);
    }

    @Test
    void aSpoiledSignatureIsBogus() throws Exception {
        dns.sign(key).tlsa("_25._tcp.mx.dane.test", 3, 1, 1, new byte[32]).tamper("_25._tcp.mx.dane.test", "TLSA");
        ValidatedLookups lookups = lookups(key);

        Answer tlsa = ask(lookups, "_25._tcp.mx.dane.test", Type.TLSA);

        assertThat(tlsa.security()).isEqualTo(Security.BOGUS);
        assertThat(tlsa.records()).isEmpty();
        assertThat(tlsa.reason()).startsWith("TLSA _25._tcp.mx.dane.test.: ");
    }

    @Test
    void aZoneSignedWithAnotherKeyIsBogus() throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx.dane.test");
        ValidatedLookups lookups = lookups(ZoneKey.generate("dane.test"));

        assertThat(ask(lookups, "dane.test", Type.MX).security()).isEqualTo(Security.BOGUS);
    }

    @Test
    void anUnsignedAnswerUnderAnAnchorIsBogus() throws Exception {
        // The anchor says the zone is signed; a server that strips signatures cannot be told from a forger.
        dns.mx("dane.test", 10, "mx.dane.test");
        ValidatedLookups lookups = lookups(key);

        assertThat(ask(lookups, "dane.test", Type.MX).security()).isEqualTo(Security.BOGUS);
    }

    @Test
    void serverFailureAndSilenceAreFailures() throws Exception {
        dns.sign(key).servfail("broken.dane.test").drop("silent.dane.test");
        ValidatedLookups lookups = lookups(key);

        Answer servfail = ask(lookups, "broken.dane.test", Type.MX);
        Answer silent = ask(lookups, "silent.dane.test", Type.MX);

        assertThat(servfail.security()).isEqualTo(Security.FAILED);
        assertThat(servfail.reason()).contains("SERVFAIL");
        assertThat(silent.security()).isEqualTo(Security.FAILED);
    }

    @Test
    void secureAnswersAreKeptForTheirTtl() throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx.dane.test");
        ValidatedLookups lookups = lookups(key);

        ask(lookups, "dane.test", Type.MX);
        ask(lookups, "dane.test", Type.MX);

        assertThat(dns.queryCount("dane.test", "MX")).isEqualTo(1);
    }

    @Test
    void questionsAskedTogetherAreAskedOnce() throws Exception {
        // TTL 0: nothing is kept, so only the sharing of the question in flight saves the second query.
        dns.sign(key).txt("dane.test", "v=test");
        ValidatedLookups lookups = lookups(key);
        Name name = Name.fromString("dane.test.");

        // Answers kept back, so the first question is still in flight when the second is asked, however
        // the test thread is scheduled.
        dns.holdAnswers();
        var first = lookups.lookup(name, Type.TXT).toCompletableFuture();
        var second = lookups.lookup(name, Type.TXT).toCompletableFuture();
        dns.releaseAnswers();

        // The second asker waits on the first's question.
        assertThat(second).isSameAs(first);
        assertThat(first.get(10, SECONDS).security()).isEqualTo(Security.SECURE);
        long asked = dns.queryCount("dane.test", "TXT");
        ask(lookups, "dane.test", Type.TXT);
        assertThat(dns.queryCount("dane.test", "TXT"))
                .as("asked anew once answered")
                .isGreaterThan(asked);
    }

    @Test
    void theIanaRootAnchorsAreBuiltIn() {
        assertThat(DnssecAnchors.ianaRoot().toString()).contains(". DS");
    }

    @Test
    void aFileWithoutAnchorsIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("anchors"), "dane.test. 300 IN A 127.0.0.1\n");

        assertThatThrownBy(() -> DnssecAnchors.load(file)).hasMessageContaining("no DS or DNSKEY record");
    }

    @Test
    void aFileOfDnskeyRecordsIsRead(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("anchors"), key.anchor());

        assertThat(DnssecAnchors.load(file).toString()).contains("dane.test. DNSKEY");
    }
}
