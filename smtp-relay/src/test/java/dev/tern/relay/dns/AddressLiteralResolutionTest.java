package dev.tern.relay.dns;

import static dev.tern.relay.dns.DnsMailExchangerResolverTest.address;
import static dev.tern.relay.dns.ResolverFixture.options;
import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.dns.MxResolution.Failure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressLiteralResolutionTest extends ResolverTestBase {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[127.0.0.9]            | 127.0.0.9", // IPv4 literal
                "[IPv6:::1]             | ::1", // IPv6 literal, tag as written in RFC 5321
                "[ipv6:0:0:0:0:0:0:0:1] | ::1", // tag is case-insensitive, full form
            })
    void usesAddressLiteralsWithoutAskingDns(String domain, String expected) throws Exception {
        Exchangers found = (Exchangers) resolve(resolver, domain);

        assertThat(found.exchangers()).singleElement().satisfies(mx -> {
            assertThat(mx.preference()).isZero();
            assertThat(mx.addresses()).containsExactly(address(expected));
        });
        assertThat(dns.queries()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[127.0.0.300]", // octet out of range
                "[::1]", // IPv6 without its tag
                "[]", // empty
                "[IPv6:127.0.0.1]", // IPv4 under the IPv6 tag
            })
    void refusesMalformedLiterals(String domain) throws Exception {
        Failure failure = (Failure) resolve(resolver, domain);

        assertThat(failure.enhancedStatus()).hasToString("5.1.2");
        assertThat(dns.queries()).isEmpty();
    }

    @Test
    void literalOfOurOwnAddressIsALoop() throws Exception {
        resolver = new DnsMailExchangerResolver(
                options(dns).withSelf(host -> false, address -> address.isLoopbackAddress()));

        Failure failure = (Failure) resolve(resolver, "[127.0.0.1]");

        assertThat(failure.enhancedStatus()).hasToString("5.4.6");
    }
}
