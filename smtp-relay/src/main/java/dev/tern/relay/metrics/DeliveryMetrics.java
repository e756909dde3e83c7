package dev.tern.relay.metrics;

/**
 * The recorder the delivery side calls. Implementations must be cheap and thread-safe: calls come
 * from the queue's thread, event loops and dnsjava's threads. No argument carries an address or a
 * domain, so no meter can grow a tag per destination.
 */
public interface DeliveryMetrics {

    /** Records nothing. */
    DeliveryMetrics NOOP = new DeliveryMetrics() {};

    /** Where an attempt went. */
    enum Kind {
        LOCAL,
        MX,
        SMARTHOST
    }

    /** What an attempt did for one recipient: delivered, to be retried, or failed for good. */
    enum Outcome {
        DELIVERED,
        DEFERRED,
        FAILED
    }

    /** How a DNS question ended. */
    enum DnsResult {
        /** Records, or a definite "no records of this type" (NODATA). */
        OK,
        NXDOMAIN,
        SERVFAIL,
        TIMEOUT,
        /** Any other failure (refused, malformed answer, network error). */
        ERROR
    }

    /** Which notification was sent back to a sender (RFC 3464). */
    enum BounceKind {
        FAILED,
        DELAYED,
        /** NOTIFY=SUCCESS: delivered here, or relayed to a next hop without DSN (RFC 3461 5.2). */
        SUCCESS
    }

    /** One attempt to a destination took {@code nanos}, whatever it achieved. */
    default void attempt(Kind kind, long nanos) {}

    /** {@code recipients} recipients of one attempt ended with {@code outcome}. */
    default void recipients(Kind kind, Outcome outcome, int recipients) {}

    /** One DNS question (MX, A or AAAA) was answered, or not, after {@code nanos}. */
    default void dnsLookup(DnsResult result, long nanos) {}

    /** A new outbound SMTP session is ready to send, with TLS or in plaintext. */
    default void outboundConnection(boolean tls) {}

    /**
     * TLS failed while an outbound session was set up: the STARTTLS or implicit-TLS handshake, or a
     * TLS record before the session was ready. An opportunistic route then tries the host in plaintext.
     */
    default void outboundTlsFailed() {}

    /** The connection pool was asked for an idle connection: {@code hit} when it had one. */
    default void connectionReuse(boolean hit) {}

    /** A delivery status notification was built and handed to the queue. */
    default void bounceSent(BounceKind kind) {}

    /** A destination was suspended, by hand or by a reply that matched {@code delivery.shaping.suspend-on}. */
    default void destinationSuspended(boolean manual) {}

    /** A destination's adaptive concurrency limit grew by one, or shrank. */
    default void concurrencyChanged(boolean grew) {}

    /** A message's recipients for a suspended destination were deferred without an attempt. */
    default void deferredBySuspension() {}

    /** How a mail exchanger stood against a domain's TLS policy (see {@code dev.tern.relay.tls}). */
    enum TlsPolicyOutcome {
        /** The session met the policy and the transaction ran. */
        MET,
        /** The host could not meet a policy that requires TLS; it was not used. */
        FAILED,
        /** An MTA-STS policy in testing mode was not met; the message went anyway (RFC 8461 5). */
        TESTING_FAILED,
        /** DANE: the certificate matched a TLSA record and the transaction ran. */
        VERIFIED,
        /** DANE: the certificate matched no TLSA record; the host was not used. */
        MISMATCH,
        /** DANE: a DNSSEC answer it needed (MX or TLSA) was bogus or could not be validated; not used. */
        BOGUS,
        /** DANE: the host did not offer STARTTLS, refused it, or its handshake failed; not used. */
        NO_TLS;

        /** True for the outcomes of hosts held to TLSA records ({@code policy} {@code dane}), false for the others. */
        public boolean dane() {
            return this == VERIFIED || this == MISMATCH || this == BOGUS || this == NO_TLS;
        }
    }

    /**
     * One host against a domain's TLS policy; {@code policy} is {@code none}, {@code may}, {@code encrypt},
     * {@code verify} or {@code mta-sts} with the outcomes {@code met}, {@code failed} and {@code testing-failed},
     * or {@code dane} with the others.
     */
    default void tlsPolicy(String policy, TlsPolicyOutcome outcome) {}

    /** What became of one domain's aggregate TLS report (RFC 8460). */
    enum TlsReportOutcome {
        /** Queued for delivery to the domain's {@code mailto:} addresses. */
        SENT,
        /** Not queued: the TLSRPT record could not be looked up for now, or the queue refused the report. */
        FAILED,
        /** The domain publishes no TLSRPT record with a {@code mailto:} address. */
        SKIPPED
    }

    default void tlsReport(TlsReportOutcome outcome) {}
}
