package dev.tern.relay.dns;

import static dev.tern.relay.dns.ResolverFixture.options;
import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.testing.TestDnsServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class ResolverCachingTest {
    private TestDnsServer dns;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    @Test
    void answersFromCacheWithinTtl() throws Exception {
        // The empty AAAA answer is cached too, for the SOA's TTL (RFC 2308 5).
        dns.negativeTtl(Duration.ofMinutes(5));
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.81");
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(options(dns));

        MxResolution first = resolve(resolver, "example.test");
        int asked = dns.queries().size();
        MxResolution second = resolve(resolver, "example.test");

        assertThat(second).isEqualTo(first).isInstanceOf(Exchangers.class);
        assertThat(asked).isPositive();
        assertThat(dns.queries()).hasSize(asked);
    }

    @Test
    void asksAgainOnceTheTtlHasPassed() throws Exception {
        dns.mx("example.test", 10, "mx.example.test", Duration.ofSeconds(1))
                .a("mx.example.test", "127.0.0.81", Duration.ofSeconds(1));
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(options(dns));
        resolve(resolver, "example.test");
        assertThat(dns.queryCount("example.test", "MX")).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    resolve(resolver, "example.test");
                    assertThat(dns.queryCount("example.test", "MX")).isEqualTo(2);
                });
    }

    @Test
    void givesADomainsExchangersAgainWithoutWorkingThemOutAnewButNotThoseOfRecordsWithoutTtl() throws Exception {
        dns.mx("held.test", 10, "mx.held.test").a("mx.held.test", "127.0.0.81");
        dns.mx("fresh.test", 10, "mx.fresh.test", Duration.ZERO).a("mx.fresh.test", "127.0.0.82");
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        DnsMailExchangerResolver resolver =
                new DnsMailExchangerResolver(options(dns), new dev.tern.relay.metrics.DeliveryMetrics() {
                    @Override
                    public void dnsLookup(DnsResult result, long nanos) {
                        asked.add(result.name());
                    }
                });

        MxResolution first = resolve(resolver, "held.test");
        MxResolution again = resolve(resolver, "HELD.test.");
        assertThat(again).isEqualTo(first).isInstanceOf(Exchangers.class);
        assertThat(asked)
                .as("the second is no MX question at all, not even to the cache")
                .hasSize(1);

        // TTL 0 (RFC 2181 8): used for this delivery only, so worked out, and asked, every time.
        resolve(resolver, "fresh.test");
        resolve(resolver, "fresh.test");
        assertThat(asked).hasSize(3);
        assertThat(dns.queryCount("fresh.test", "MX")).isEqualTo(2);
    }

    @Test
    void cachesNegativeAnswersForTheSoaTtl() throws Exception {
        dns.negativeTtl(Duration.ofMinutes(5));
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(options(dns));

        resolve(resolver, "nowhere.test");
        resolve(resolver, "nowhere.test");

        // RFC 2308 5: the NXDOMAIN is remembered, the second resolve asks nobody.
        assertThat(dns.queryCount("nowhere.test", "MX")).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"mx.example.test, A, RECORDS", "mx.example.test, AAAA, NODATA", "nowhere.example.test, TXT, NXDOMAIN"})
    void givesACachedAnswerAsTheServersOwnWithoutAsking(String host, String type, DnsLookups.Kind kind)
            throws Exception {
        dns.negativeTtl(Duration.ofMinutes(5)).a("mx.example.test", "127.0.0.81");
        DnsLookups lookups = new DnsLookups(options(dns));
        Name name = Name.fromString(host + ".");

        DnsLookups.Answer asked = answer(lookups, name, Type.value(type));
        DnsLookups.Answer cached = answer(lookups, name, Type.value(type));

        assertThat(asked.kind()).isEqualTo(kind);
        assertThat(cached).isEqualTo(asked);
        assertThat(dns.queryCount(host, type)).isEqualTo(1);
    }

    @Test
    void keepsNothingWhoseTtlIsZero() throws Exception {
        dns.a("mx.example.test", "127.0.0.81", Duration.ZERO);
        DnsLookups lookups = new DnsLookups(options(dns));
        Name name = Name.fromString("mx.example.test.");

        answer(lookups, name, Type.A);
        DnsLookups.Answer again = answer(lookups, name, Type.A);

        // RFC 1035 3.2.1: a TTL of zero is for the question in hand only.
        assertThat(again.kind()).isEqualTo(DnsLookups.Kind.RECORDS);
        assertThat(dns.queryCount("mx.example.test", "A")).isEqualTo(2);
    }

    private static DnsLookups.Answer answer(DnsLookups lookups, Name name, int type) throws Exception {
        return lookups.lookup(name, type).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void doesNotCacheFailures() throws Exception {
        dns.mx("example.test", 10, "mx.example.test")
                .a("mx.example.test", "127.0.0.81")
                .servfail("example.test");
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(options(dns));
        assertThat(resolve(resolver, "example.test")).isInstanceOf(MxResolution.Failure.class);

        dns.clear().mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.81");

        assertThat(resolve(resolver, "example.test")).isInstanceOf(Exchangers.class);
    }
}
