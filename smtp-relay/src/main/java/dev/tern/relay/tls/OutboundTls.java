package dev.tern.relay.tls;

import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.metrics.DeliveryMetrics.TlsPolicyOutcome;
import dev.tern.relay.tlsrpt.TlsResultType;
import dev.tern.relay.tlsrpt.TlsSessionCounts;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides the TLS policy of delivery to a domain's mail exchangers, in this order: the domain's {@code
 * delivery.tls-policy} entry; DANE (RFC 7672), for a domain whose entry is {@code dane} or, when DANE is on
 * for every domain, one without an entry; its MTA-STS policy (RFC 8461); else {@link TlsPolicy#MAY}. DANE
 * outranks MTA-STS (RFC 8461 2): where DNSSEC-validated TLSA records exist they decide for their hosts, and
 * the rest (MTA-STS, else may) decides for the domain's hosts without them. Also where the router reports how
 * hosts stood against the policy.
 */
public final class OutboundTls {
    private final TlsPolicies configured;
    private final MtaSts mtaSts;
    private final Dane dane;
    private final boolean daneForAll;
    private final DeliveryMetrics metrics;
    private final TlsSessionCounts sessions;

    /** @param mtaSts looks up MTA-STS policies, or null when MTA-STS is off */
    public OutboundTls(TlsPolicies configured, MtaSts mtaSts, DeliveryMetrics metrics) {
        this(configured, mtaSts, null, false, metrics, null);
    }

    /** @param sessions counts sessions for TLS reports (RFC 8460), or null when no reports are sent */
    public OutboundTls(TlsPolicies configured, MtaSts mtaSts, DeliveryMetrics metrics, TlsSessionCounts sessions) {
        this(configured, mtaSts, null, false, metrics, sessions);
    }

    /**
     * @param mtaSts looks up MTA-STS policies, or null when MTA-STS is off
     * @param dane looks up DANE's TLSA records, or null when no domain uses DANE
     * @param daneForAll DANE for every domain without an entry, not only those whose entry is {@code dane}
     */
    public OutboundTls(TlsPolicies configured, MtaSts mtaSts, Dane dane, boolean daneForAll, DeliveryMetrics metrics) {
        this(configured, mtaSts, dane, daneForAll, metrics, null);
    }

    /** @param sessions counts sessions for TLS reports (RFC 8460), or null when no reports are sent */
    public OutboundTls(
            TlsPolicies configured,
            MtaSts mtaSts,
            Dane dane,
            boolean daneForAll,
            DeliveryMetrics metrics,
            TlsSessionCounts sessions) {
        this.configured = configured;
        this.mtaSts = mtaSts;
        this.dane = dane;
        this.daneForAll = daneForAll;
        this.metrics = metrics;
        this.sessions = sessions;
    }

    /** Opportunistic TLS everywhere: no policies, no MTA-STS, no DANE. */
    public static OutboundTls opportunistic() {
        return new OutboundTls(TlsPolicies.none(), null, DeliveryMetrics.NOOP);
    }

    /**
     * The policy for {@code domain}; the stage never fails, and when MTA-STS or DANE is asked it completes
     * within their bounds (MTA-STS: with the cached policy, or none, if the policy host is slow).
     */
    public CompletionStage<DomainTls> policy(String domain) {
        var explicit = configured.of(domain);
        if (explicit.isPresent() && explicit.get() != TlsPolicy.DANE) {
            return CompletableFuture.completedFuture(DomainTls.configured(explicit.get()));
        }
        CompletionStage<DomainTls> rest = mtaSts(domain);
        if (dane == null || (explicit.isEmpty() && !daneForAll)) {
            return rest;
        }
        // Both at once: the hosts without TLSA records follow the rest, and the wait is the longer, not the sum.
        return dane.hosts(domain).thenCombine(rest, (hosts, policy) -> hosts.map(policy::withDane)
                .orElse(policy));
    }

    private CompletionStage<DomainTls> mtaSts(String domain) {
        if (mtaSts == null) {
            return CompletableFuture.completedFuture(DomainTls.OPPORTUNISTIC);
        }
        return mtaSts.policy(domain)
                .thenApply(found -> found.map(MtaStsPolicy::domainTls).orElse(DomainTls.OPPORTUNISTIC));
    }

    /**
     * Counts one session with a mail exchanger of {@code domain} for TLS reports (RFC 8460 4.3).
     *
     * @param published the domain's own policy (before a message's REQUIRETLS or TLS-Required changed it)
     * @param ip the address dialled, or null when the host was not tried
     * @param failure why TLS could not be had, in the client's words; null for a session that ran inside TLS
     */
    public void session(String domain, DomainTls published, String host, InetAddress ip, String failure) {
        if (sessions == null) {
            return;
        }
        if (failure == null) {
            sessions.success(domain, published);
        } else {
            sessions.failure(domain, published, host, ip, TlsResultType.classify(failure));
        }
    }

    /** Counts one host against the policy. */
    public void outcome(DomainTls tls, TlsPolicyOutcome outcome) {
        metrics.tlsPolicy(tls.source(), outcome);
    }

    /** Counts one host against its TLSA records (or the DNSSEC answers DANE needed). */
    public void daneOutcome(TlsPolicyOutcome outcome) {
        metrics.tlsPolicy(DomainTls.DANE, outcome);
    }
}
