package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.metrics.DeliveryMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which policy a domain gets: its configured entry, else DANE, else its MTA-STS policy, else may. */
class OutboundTlsTest {
    private final List<String> asked = new CopyOnWriteArrayList<>();
    /** An MTA-STS that knows one domain, enforce.test, and records who asked. */
    private final MtaSts mtaSts = domain -> {
        asked.add(domain);
        return CompletableFuture.completedFuture(
                domain.equals("enforce.test")
                        ? Optional.of(new MtaStsPolicy(
                                "1",
                                MtaStsPolicy.Mode.ENFORCE,
                                List.of("mx.enforce.test"),
                                Duration.ofDays(1),
                                Instant.EPOCH))
                        : Optional.empty());
    };

    private final OutboundTls tls = new OutboundTls(
            new TlsPolicies(Map.of("enforce.test", TlsPolicy.NONE, ".corp.test", TlsPolicy.ENCRYPT)),
            mtaSts,
            DeliveryMetrics.NOOP);

    private DomainTls policy(OutboundTls outbound, String domain) throws Exception {
        return outbound.policy(domain).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aConfiguredEntryWinsOverMtaSts() throws Exception {
        DomainTls policy = policy(tls, "enforce.test");

        assertThat(policy.source()).isEqualTo("none");
        assertThat(asked).as("MTA-STS is not even asked").isEmpty();
    }

    @Test
    void mtaStsAppliesWithoutAnEntry() throws Exception {
        OutboundTls noEntries = new OutboundTls(TlsPolicies.none(), mtaSts, DeliveryMetrics.NOOP);

        DomainTls policy = policy(noEntries, "enforce.test");

        assertThat(policy.source()).isEqualTo("mta-sts");
        assertThat(policy.level()).isEqualTo(TlsPolicy.VERIFY);
        assertThat(policy.lists("mx.enforce.test")).isTrue();
        assertThat(policy.lists("mx.other.test")).isFalse();
    }

    @Test
    void aDomainWithNeitherGetsMay() throws Exception {
        DomainTls policy = policy(tls, "plain.test");

        assertThat(policy).isEqualTo(DomainTls.OPPORTUNISTIC);
        assertThat(asked).containsExactly("plain.test");
    }

    @Test
    void withoutMtaStsEveryOtherDomainGetsMay() throws Exception {
        OutboundTls off = new OutboundTls(TlsPolicies.none(), null, DeliveryMetrics.NOOP);

        assertThat(policy(off, "enforce.test")).isEqualTo(DomainTls.OPPORTUNISTIC);
        assertThat(policy(tls, "hq.corp.test").source()).isEqualTo("encrypt");
    }

    /** A DANE that applies to enforce.test and dane.test only. */
    private final List<String> askedDane = new CopyOnWriteArrayList<>();

    private final Dane dane = domain -> {
        askedDane.add(domain);
        return CompletableFuture.completedFuture(
                domain.equals("enforce.test") || domain.equals("dane.test")
                        ? Optional.of(new DaneHosts(null, Map.of("mx." + domain, DaneHosts.noRecords())))
                        : Optional.empty());
    };

    @Test
    void daneForEveryDomainJoinsTheMtaStsPolicyWhichRulesTheHostsWithoutTlsa() throws Exception {
        OutboundTls all = new OutboundTls(TlsPolicies.none(), mtaSts, dane, true, DeliveryMetrics.NOOP);

        DomainTls policy = policy(all, "enforce.test");

        assertThat(policy.dane()).isNotNull();
        assertThat(policy.source()).isEqualTo("mta-sts");
        assertThat(policy(all, "plain.test")).isEqualTo(DomainTls.OPPORTUNISTIC);
        assertThat(askedDane).containsExactly("enforce.test", "plain.test");
    }

    @Test
    void anEntryOtherThanDaneWinsOverDane() throws Exception {
        OutboundTls all = new OutboundTls(
                new TlsPolicies(Map.of("dane.test", TlsPolicy.ENCRYPT)), mtaSts, dane, true, DeliveryMetrics.NOOP);

        DomainTls policy = policy(all, "dane.test");

        assertThat(policy.source()).isEqualTo("encrypt");
        assertThat(policy.dane()).isNull();
        assertThat(askedDane).isEmpty();
    }

    @Test
    void withDaneOffOnlyDomainsSetToDaneAreLookedUp() throws Exception {
        OutboundTls some = new OutboundTls(
                new TlsPolicies(Map.of("dane.test", TlsPolicy.DANE)), mtaSts, dane, false, DeliveryMetrics.NOOP);

        assertThat(policy(some, "dane.test").dane()).isNotNull();
        assertThat(policy(some, "enforce.test").dane()).isNull();
        assertThat(askedDane).containsExactly("dane.test");
    }

    @Test
    void aDomainSetToDaneWhereDaneDoesNotApplyFollowsMtaStsElseMay() throws Exception {
        OutboundTls some = new OutboundTls(
                new TlsPolicies(Map.of(".test", TlsPolicy.DANE)), mtaSts, dane, false, DeliveryMetrics.NOOP);

        assertThat(policy(some, "plain.test")).isEqualTo(DomainTls.OPPORTUNISTIC);
    }
}
