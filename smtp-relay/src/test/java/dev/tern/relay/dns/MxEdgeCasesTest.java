package dev.tern.relay.dns;

import static dev.tern.relay.dns.ResolverFixture.options;
import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.dns.MxResolution.Failure;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MxEdgeCasesTest extends ResolverTestBase {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "example.test     | 5.1.2", // the name does not exist at all
                "nx.example.test  | 5.1.2", // marked NXDOMAIN although it has records
                "sf.example.test  | 4.4.3", // SERVFAIL
                "nomx.test        | 5.1.2", // exists, but neither MX nor address records
                "..bad            | 5.1.2", // not a domain name
                "''               | 5.1.2", // empty
            })
    void failsWithTheStatusTheRulesGive(String domain, String enhanced) throws Exception {
        dns.mx("nx.example.test", 10, "mx.test")
                .nxdomain("nx.example.test")
                .mx("sf.example.test", 10, "mx.test")
                .servfail("sf.example.test")
                .mx("other.test", 10, "mx.test")
                .aaaa("nomx.test", "::1");
        resolver =
                new DnsMailExchangerResolver(options(dns).withAddressOrder(MxResolverOptions.AddressOrder.IPV4_ONLY));

        Failure failure = (Failure) resolve(resolver, domain);

        assertThat(failure.enhancedStatus()).hasToString(enhanced);
        assertThat(failure.isTemporary()).isEqualTo(enhanced.startsWith("4"));
    }

    @Test
    void aDeferralNamesTheHostThatFailedForNowNotTheOneThatDoesNotExist() throws Exception {
        dns.mx("mixed.test", 10, "sfhost.test")
                .mx("mixed.test", 20, "nxhost.test")
                .a("sfhost.test", "127.0.0.11")
                .servfail("sfhost.test")
                .nxdomain("nxhost.test");

        Failure failure = (Failure) resolve(resolver, "mixed.test");

        assertThat(failure.isTemporary()).isTrue();
        assertThat(failure.diagnostic())
                .contains("sfhost.test")
                .contains("SERVFAIL")
                .doesNotContain("nxhost");
    }

    @Test
    void ignoresARootTargetBesideRealExchangers() throws Exception {
        // RFC 7505 3 forbids mixing; the real exchanger is still usable, so it is used.
        dns.mx("example.test", 0, ".").mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.5");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("mx.example.test");
    }

    @Test
    void looksUpInternationalDomainsByTheirALabel() throws Exception {
        dns.mx("xn--bcher-kva.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.5");

        Exchangers found = (Exchangers) resolve(resolver, "bücher.test");

        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("mx.example.test");
        assertThat(dns.queryCount("xn--bcher-kva.test", "MX")).isEqualTo(1);
    }

    @Test
    void mergesAHostListedTwiceAtItsBestPreference() throws Exception {
        dns.mx("example.test", 20, "mx.example.test")
                .mx("example.test", 10, "MX.example.test")
                .a("mx.example.test", "127.0.0.5");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers()).singleElement().satisfies(mx -> assertThat(mx.preference())
                .isEqualTo(10));
    }

    @Test
    void returnsBeforeTheAnswerArrives() throws Exception {
        dns.mx("example.test", 10, "mx.example.test").drop("example.test");

        CompletableFuture<MxResolution> pending =
                resolver.resolve("example.test").toCompletableFuture();

        // The caller is never held while DNS is asked: the stage is still open when resolve returns.
        assertThat(pending).isNotDone();
        assertThat(pending.get(5, TimeUnit.SECONDS)).isInstanceOf(Failure.class);
    }
}
