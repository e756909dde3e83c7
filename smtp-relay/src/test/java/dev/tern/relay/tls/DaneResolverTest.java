package dev.tern.relay.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.dns.DnssecAnchors;
import dev.tern.relay.dns.MxResolverOptions;
import dev.tern.relay.dns.ValidatedLookups;
import dev.tern.relay.testing.TestDnsServer;
import dev.tern.relay.testing.ZoneKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7672 2.2 against a zone the test signs and serves on loopback: when DANE applies, and to which hosts. */
class DaneResolverTest {
    private static final int PORT = 2525;

    private final TestDnsServer dns = TestDnsServer.start();
    private final ZoneKey key = ZoneKey.generate("dane.test");
    private DaneResolver dane;

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    private Optional<DaneHosts> hosts(String domain, Path dir) throws Exception {
        if (dane == null) {
            MxResolverOptions options = MxResolverOptions.defaults()
                    .withServers(List.of(dns.address()))
                    .withTimeout(Duration.ofMillis(300), 1);
            DnssecAnchors anchors = DnssecAnchors.load(Files.writeString(dir.resolve("anchor"), key.anchor()));
            ValidatedLookups lookups = new ValidatedLookups(options, anchors, Duration.ofSeconds(5), Clock.systemUTC());
            dane = new DaneResolver(lookups, PORT, 5, Clock.systemUTC());
        }
        return dane.hosts(domain).toCompletableFuture().get(10, SECONDS);
    }

    private TestDnsServer tlsa(String host, int usage) {
        return dns.tlsa("_" + PORT + "._tcp." + host, usage, 1, 1, new byte[32]);
    }

    @Test
    void eachValidatedExchangerGetsItsTlsaState(@TempDir Path dir) throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx1.dane.test").mx("dane.test", 20, "mx2.dane.test");
        tlsa("mx1.dane.test", 3);

        DaneHosts hosts = hosts("dane.test", dir).orElseThrow();

        assertThat(hosts.failure()).isNull();
        assertThat(hosts.host("MX1.dane.test.")).isInstanceOfSatisfying(DaneHosts.Host.Verify.class, v -> assertThat(
                        v.check().records())
                .containsExactly(new Tlsa(3, 1, 1, "00".repeat(32))));
        assertThat(hosts.host("mx2.dane.test")).isInstanceOf(DaneHosts.Host.NoRecords.class);
        // A host only an unvalidated answer could have given.
        assertThat(hosts.host("mx3.dane.test"))
                .isInstanceOfSatisfying(DaneHosts.Host.Unusable.class, u -> assertThat(u.reason())
                        .contains("not among the DNSSEC-validated"));
    }

    @Test
    void daneDoesNotApplyWithoutUsableRecords(@TempDir Path dir) throws Exception {
        // PKIX-EE(1) is not for SMTP (RFC 7672 3.1.3): as if there were no records.
        dns.sign(key).mx("dane.test", 10, "mx.dane.test");
        tlsa("mx.dane.test", 1);

        assertThat(hosts("dane.test", dir)).isEmpty();
    }

    @Test
    void daneDoesNotApplyToAnInsecureMxRrset(@TempDir Path dir) throws Exception {
        dns.sign(key).mx("plain.example", 10, "mx.dane.test");
        tlsa("mx.dane.test", 3);

        assertThat(hosts("plain.example", dir)).isEmpty();
    }

    @Test
    void aSecureNoMxMakesTheDomainItsOwnHost(@TempDir Path dir) throws Exception {
        dns.sign(key).a("dane.test", "127.0.0.2");
        tlsa("dane.test", 3);

        assertThat(hosts("dane.test", dir).orElseThrow().host("dane.test")).isInstanceOf(DaneHosts.Host.Verify.class);
        assertThat(dns.queryCount("_" + PORT + "._tcp.dane.test", "TLSA")).isPositive();
    }

    @Test
    void aBogusOrFailedTlsaAnswerMakesItsHostUnusable(@TempDir Path dir) throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx1.dane.test").mx("dane.test", 20, "mx2.dane.test");
        tlsa("mx1.dane.test", 3).tamper("_" + PORT + "._tcp.mx1.dane.test", "TLSA");
        dns.servfail("_" + PORT + "._tcp.mx2.dane.test");

        DaneHosts hosts = hosts("dane.test", dir).orElseThrow();

        assertThat(hosts.host("mx1.dane.test"))
                .isInstanceOfSatisfying(DaneHosts.Host.Unusable.class, u -> assertThat(u.reason())
                        .startsWith("DNSSEC bogus: TLSA _2525._tcp.mx1.dane.test.: ")
                        .doesNotContain("sigs:"));
        assertThat(hosts.host("mx2.dane.test"))
                .isInstanceOfSatisfying(DaneHosts.Host.Unusable.class, u -> assertThat(u.reason())
                        .startsWith("TLSA lookup failed"));
    }

    @Test
    void aBogusMxRrsetFailsTheDomain(@TempDir Path dir) throws Exception {
        dns.sign(key).mx("dane.test", 10, "mx.dane.test").tamper("dane.test", "MX");

        assertThat(hosts("dane.test", dir).orElseThrow().failure()).startsWith("DNSSEC bogus: MX dane.test.");
    }
}
