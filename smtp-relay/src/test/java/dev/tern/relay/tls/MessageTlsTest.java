package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.ClientRoute.TlsMode;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What REQUIRETLS and {@code TLS-Required: No} (RFC 8689) make of a domain's TLS policy. */
class MessageTlsTest {
    private static final DomainTls ENFORCE =
            new DomainTls(DomainTls.MTA_STS, TlsPolicy.VERIFY, false, List.of("mx.example.com"));
    private static final DomainTls TESTING =
            new DomainTls(DomainTls.MTA_STS, TlsPolicy.VERIFY, true, List.of("mx.example.com"));

    private static Envelope envelope(boolean requireTls, boolean tlsOptional) {
        return new Envelope(
                new ReversePath(new Mailbox("a", "example.org")),
                List.of(new RcptTo(new Mailbox("b", "example.com"), RcptParameters.NONE)),
                MailParameters.NONE.withRequireTls(requireTls),
                tlsOptional);
    }

    static Stream<Arguments> requireTls() {
        return Stream.of(
                Arguments.of(DomainTls.OPPORTUNISTIC, "requiretls", TlsPolicy.VERIFY), // no policy: verify
                Arguments.of(DomainTls.configured(TlsPolicy.NONE), "requiretls", TlsPolicy.VERIFY), // none too
                Arguments.of(DomainTls.configured(TlsPolicy.ENCRYPT), "requiretls", TlsPolicy.VERIFY), // unverified
                Arguments.of(DomainTls.configured(TlsPolicy.VERIFY), "verify", TlsPolicy.VERIFY), // kept
                // dane: hosts with TLSA records stay held to them, the others are verified
                Arguments.of(DomainTls.configured(TlsPolicy.DANE), "requiretls", TlsPolicy.VERIFY),
                Arguments.of(ENFORCE, "mta-sts", TlsPolicy.VERIFY), // MTA-STS enforce is kept
                Arguments.of(TESTING, "requiretls", TlsPolicy.VERIFY)); // testing would fall back: not kept
    }

    @ParameterizedTest
    @MethodSource
    void requireTls(DomainTls domain, String source, TlsPolicy level) {
        DomainTls applied = MessageTls.of(domain, envelope(true, false));
        assertThat(applied.source()).isEqualTo(source);
        assertThat(applied.level()).isEqualTo(level);
        assertThat(applied.testing()).isFalse();
        assertThat(applied.route().requireVerifiedTls()).isTrue();
        assertThat(applied.mx()).isEqualTo(domain.mx());
    }

    @Test
    void requireTlsKeepsTheHostsDaneHoldsToTheirRecordsAndTlsRequiredNoDropsThem() {
        DaneHosts hosts = new DaneHosts(null, java.util.Map.of("mx.example.com", DaneHosts.noRecords()));
        DomainTls domain = DomainTls.OPPORTUNISTIC.withDane(hosts);
        assertThat(MessageTls.of(domain, envelope(true, false)).dane()).isSameAs(hosts);
        assertThat(MessageTls.of(domain, envelope(false, true)).dane()).isNull();
    }

    @Test
    void tlsRequiredNoDeliversAsMayWhateverThePolicy() {
        for (DomainTls domain : List.of(ENFORCE, DomainTls.configured(TlsPolicy.VERIFY), DomainTls.OPPORTUNISTIC)) {
            DomainTls applied = MessageTls.of(domain, envelope(false, true));
            assertThat(applied.level()).isEqualTo(TlsPolicy.MAY);
            assertThat(applied.mx()).isEmpty();
            assertThat(applied.source()).isEqualTo("tls-required-no");
        }
    }

    @Test
    void aMessageWithoutWishesFollowsTheDomain() {
        assertThat(MessageTls.of(ENFORCE, envelope(false, false))).isSameAs(ENFORCE);
    }

    @Test
    void aSmarthostIsVerifiedForRequireTls() {
        ClientRoute plain = new ClientRoute(TlsMode.OPPORTUNISTIC, false, "u", "p");
        ClientRoute verified = MessageTls.of(plain, envelope(true, false));
        assertThat(verified.tls()).isEqualTo(TlsMode.STARTTLS);
        assertThat(verified.requireVerifiedTls()).isTrue();
        assertThat(verified.username()).isEqualTo("u");
        ClientRoute implicit = new ClientRoute(TlsMode.IMPLICIT, false, null, null);
        assertThat(MessageTls.of(implicit, envelope(true, false)).tls()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(MessageTls.of(plain, envelope(false, false))).isSameAs(plain);
    }
}
