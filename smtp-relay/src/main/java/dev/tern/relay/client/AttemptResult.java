package dev.tern.relay.client;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.List;
import java.util.Objects;

/** How one attempt to one host ended. */
public sealed interface AttemptResult {
    /** RFC 8689 7.3: X.7.30, "REQUIRETLS support required": the host does not offer REQUIRETLS. */
    EnhancedStatus REQUIRETLS_NOT_OFFERED = EnhancedStatus.parse("5.7.30");

    /** RFC 3463 X.4.6, routing loop detected: the host is this server. */
    EnhancedStatus LOOP = EnhancedStatus.parse("5.4.6");

    /**
     * The transaction ran: an outcome per recipient of the request (in request order), each with the
     * host's name, its reply and whether it announced DSN (see {@link RecipientOutcome}).
     *
     * @param tls the session ran inside TLS
     */
    record Completed(List<RecipientOutcome> outcomes, boolean tls) implements AttemptResult {
        public Completed {
            outcomes = List.copyOf(outcomes);
        }

        /** A transaction outside TLS. */
        public Completed(List<RecipientOutcome> outcomes) {
            this(outcomes, false);
        }
    }

    /**
     * This host could not take the message at all: try the next host (or defer if none). Also used
     * when a transaction broke before the message was sent (421, lost connection, timeout): nothing
     * was delivered, so another host may be tried at once.
     *
     * @param diagnostic what went wrong, in words ({@code connection refused}, {@code greeting: 421 4.3.2 busy})
     * @param remoteMta the host's name, or null when the attempt never reached a host
     * @param remoteReply the host's reply that ended the attempt (a 4xx/5xx greeting, a 421), or null
     */
    record HostFailed(
            DeliveryStatus status,
            EnhancedStatus enhancedStatus,
            String diagnostic,
            String remoteMta,
            SmtpReply remoteReply)
            implements AttemptResult {
        public HostFailed {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(enhancedStatus, "enhancedStatus");
            Objects.requireNonNull(diagnostic, "diagnostic");
            // Becomes every recipient's outcome when no host takes the message: bounded as a RecipientOutcome is.
            diagnostic = SmtpReply.cut(diagnostic, SmtpReply.MAX_KEPT_TEXT);
            remoteReply = remoteReply == null ? null : remoteReply.bounded(SmtpReply.MAX_KEPT_TEXT);
        }

        /** A failure no host's reply describes. */
        public HostFailed(DeliveryStatus status, EnhancedStatus enhancedStatus, String diagnostic) {
            this(status, enhancedStatus, diagnostic, null, null);
        }

        /**
         * True when the host could not give the TLS a route required ({@code 4.7.5}: not offered, refused,
         * handshake or certificate failed); such a route never falls back to plaintext.
         */
        public boolean tlsRequirementFailed() {
            return enhancedStatus.toString().equals(SessionSetup.TLS_REQUIRED);
        }

        /** True when the host is this server itself (see {@link SmtpClientOptions#detectsLoops()}). */
        public boolean isLoop() {
            return status == DeliveryStatus.PERMANENT && enhancedStatus.equals(LOOP);
        }

        static HostFailed temporary(String enhanced, String diagnostic) {
            return temporary(enhanced, diagnostic, null, null);
        }

        static HostFailed temporary(String enhanced, String diagnostic, String remoteMta, SmtpReply reply) {
            return new HostFailed(
                    DeliveryStatus.TEMPORARY, EnhancedStatus.parse(enhanced), diagnostic, remoteMta, reply);
        }
    }
}
