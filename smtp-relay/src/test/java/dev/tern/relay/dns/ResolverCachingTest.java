package dev.tern.relay.dns;

import static dev.tern.relay.dns.ResolverFixture.options;
import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.testing.TestDnsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    void cachesNegativeAnswersForTheSoaTtl() throws Exception {
        dns.negativeTtl(Duration.ofMinutes(5));
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(options(dns));

        resolve(resolver, "nowhere.test");
        resolve(resolver, "nowhere.test");

        // RFC 2308 5: the NXDOMAIN is remembered, the second resolve asks nobody.
        assertThat(dns.queryCount("nowhere.test", "MX")).isEqualTo(1);
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
