package dev.tern.relay.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.MutableClock;
import dev.tern.relay.tls.DomainTls;
import dev.tern.relay.tls.TlsPolicy;
import dev.tern.relay.tlsrpt.PolicySummary.FailureDetail;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsSessionCountsTest {
    private static final DomainTls STS =
            new DomainTls(DomainTls.MTA_STS, TlsPolicy.VERIFY, false, List.of("*.mx.example.com"));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T00:00:00Z"));

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void countsSuccessesAndFailuresPerDomainAndPolicy() throws Exception {
        TlsSessionCounts counts = new TlsSessionCounts(10, clock);
        counts.success("Example.com", STS);
        counts.success("example.com", STS);
        counts.failure("example.com", STS, "A.mx.example.com", ip("192.0.2.1"), TlsResultType.CERTIFICATE_EXPIRED);
        counts.failure("example.com", STS, "a.mx.example.com", ip("192.0.2.1"), TlsResultType.CERTIFICATE_EXPIRED);
        counts.failure("example.com", STS, "b.mx.example.com", null, TlsResultType.VALIDATION_FAILURE);
        counts.success("other.test", DomainTls.OPPORTUNISTIC);
        clock.advance(Duration.ofHours(24));

        TlsSessionCounts.Drained period = counts.drain();

        assertThat(period.start()).isEqualTo(Instant.parse("2026-12-04T00:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2026-12-05T00:00:00Z"));
        assertThat(period.policies()).hasSize(2);
        PolicySummary sts = period.policies().get(0);
        assertThat(sts.domain()).isEqualTo("example.com");
        assertThat(sts.policyType()).isEqualTo("sts");
        assertThat(sts.policyStrings()).containsExactly("version: STSv1", "mode: enforce", "mx: *.mx.example.com");
        assertThat(sts.mxHosts()).containsExactly("*.mx.example.com");
        assertThat(sts.successfulSessions()).isEqualTo(2);
        assertThat(sts.failedSessions()).isEqualTo(3);
        assertThat(sts.failures())
                .containsExactly(
                        new FailureDetail(TlsResultType.CERTIFICATE_EXPIRED, "a.mx.example.com", "192.0.2.1", 2),
                        new FailureDetail(TlsResultType.VALIDATION_FAILURE, "b.mx.example.com", null, 1));
        PolicySummary none = period.policies().get(1);
        assertThat(none.policyType()).isEqualTo("no-policy-found");
        assertThat(none.policyStrings()).isEmpty();
        assertThat(none.successfulSessions()).isEqualTo(1);
    }

    @Test
    void hostsHeldToTlsaRecordsAreReportedUnderTheirOwnPolicyType() throws Exception {
        TlsSessionCounts counts = new TlsSessionCounts(10, clock);
        DomainTls dane = DomainTls.configured(TlsPolicy.DANE);
        counts.success("example.com", dane);
        counts.failure("example.com", dane, "mx.example.com", ip("192.0.2.7"), TlsResultType.TLSA_INVALID);
        counts.success("example.com", STS);

        List<PolicySummary> policies = counts.drain().policies();

        assertThat(policies).extracting(PolicySummary::policyType).containsExactly("sts", "tlsa");
        PolicySummary tlsa = policies.get(1);
        assertThat(tlsa.successfulSessions()).isEqualTo(1);
        assertThat(tlsa.failedSessions()).isEqualTo(1);
        assertThat(tlsa.policyStrings()).isEmpty();
        assertThat(tlsa.failures()).singleElement().satisfies(f -> assertThat(f.type())
                .isEqualTo(TlsResultType.TLSA_INVALID));
    }

    @Test
    void aDrainStartsAFreshPeriod() {
        TlsSessionCounts counts = new TlsSessionCounts(10, clock);
        counts.success("example.com", STS);
        counts.drain();
        clock.advance(Duration.ofHours(1));
        assertThat(counts.drain().policies()).isEmpty();
        counts.success("example.com", STS);
        assertThat(counts.drain().policies()).singleElement().satisfies(p -> assertThat(p.successfulSessions())
                .isEqualTo(1));
    }

    @Test
    void keepsAtMostMaxDomainsAndCountsTheRest() {
        TlsSessionCounts counts = new TlsSessionCounts(2, clock);
        counts.success("a.test", STS);
        counts.success("b.test", STS);
        counts.success("c.test", STS);
        counts.success("a.test", STS);
        TlsSessionCounts.Drained period = counts.drain();
        assertThat(period.policies()).extracting(PolicySummary::domain).containsExactly("a.test", "b.test");
        assertThat(period.droppedDomains()).isEqualTo(1);
    }

    @Test
    void keepsAtMostSoManyKindsOfFailureButCountsThemAll() throws Exception {
        TlsSessionCounts counts = new TlsSessionCounts(2, clock);
        int many = TlsSessionCounts.MAX_FAILURE_DETAILS + 5;
        for (int i = 0; i < many; i++) {
            counts.failure("a.test", STS, "mx" + i + ".a.test", null, TlsResultType.CERTIFICATE_NOT_TRUSTED);
        }
        PolicySummary p = counts.drain().policies().get(0);
        assertThat(p.failures()).hasSize(TlsSessionCounts.MAX_FAILURE_DETAILS);
        assertThat(p.failedSessions()).isEqualTo(many);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            STARTTLS required but not offered                                                      | STARTTLS_NOT_SUPPORTED
            STARTTLS: 454 4.7.0 TLS not available                                                  | STARTTLS_NOT_SUPPORTED
            TLS handshake failed: certificate names [mx.other.test], not mx.example.com (RFC 6125) | CERTIFICATE_HOST_MISMATCH
            TLS handshake failed: certificate not trusted: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed | CERTIFICATE_EXPIRED
            TLS handshake failed: certificate not trusted: PKIX path building failed                | CERTIFICATE_NOT_TRUSTED
            TLS handshake failed: Received fatal alert: handshake_failure                           | VALIDATION_FAILURE
            TLSA mismatch: no record of 1 for mx.example.com matches its chain                      | TLSA_INVALID
            """)
    void classifiesFailuresByTheirWords(String diagnostic, TlsResultType type) {
        assertThat(TlsResultType.classify(diagnostic)).isEqualTo(type);
    }
}
