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
 * delivery.tls-policy} entry; DANE (RFC 7672; not looked up yet); its MTA-STS policy (RFC 8461); else
 * {@link TlsPolicy#MAY}. Also where the router reports how hosts stood against the policy.
 */
public final class OutboundTls {
    private final TlsPolicies configured;
    private final MtaSts mtaSts;
    private final DeliveryMetrics metrics;
    private final TlsSessionCounts sessions;

    /** @param mtaSts looks up MTA-STS policies, or null when MTA-STS is off */
    public OutboundTls(TlsPolicies configured, MtaSts mtaSts, DeliveryMetrics metrics) {
        this(configured, mtaSts, metrics, null);
    }

    /** @param sessions counts sessions for TLS reports (RFC 8460), or null when no reports are sent */
    public OutboundTls(TlsPolicies configured, MtaSts mtaSts, DeliveryMetrics metrics, TlsSessionCounts sessions) {
        this.configured = configured;
        this.mtaSts = mtaSts;
        this.metrics = metrics;
        this.sessions = sessions;
    }

    /** Opportunistic TLS everywhere: no policies, no MTA-STS. */
    public static OutboundTls opportunistic() {
        return new OutboundTls(TlsPolicies.none(), null, DeliveryMetrics.NOOP);
    }

    /**
     * The policy for {@code domain}; the stage never fails, and when MTA-STS is asked it completes within
     * its bound (with the cached policy, or none, if the policy host is slow).
     */
    public CompletionStage<DomainTls> policy(String domain) {
        var explicit = configured.of(domain);
        if (explicit.isPresent()) {
            return CompletableFuture.completedFuture(DomainTls.configured(explicit.get()));
        }
        // DANE (RFC 7672) will be asked here: it outranks MTA-STS (RFC 8461 2).
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
}
