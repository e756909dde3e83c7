package dev.tern.relay.delivery;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.Objects;

/**
 * The outcome of one attempt for one recipient.
 *
 * @param recipientIndex the recipient's index in the message's envelope
 * @param status delivered, temporary or permanent
 * @param enhancedStatus the RFC 3463 code that describes it (also for local outcomes)
 * @param diagnostic what happened, for logs and the DSN's human part: the remote reply's text, or our reason
 * @param remoteMta the host that answered (DSN Remote-MTA), or null for local delivery and DNS failures
 * @param reply the remote reply this outcome comes from, as received (DSN Diagnostic-Code, RFC 3464
 *     2.3.6), or null when no server answered for this recipient
 * @param nextHopDsn true when the next hop announced DSN (RFC 3461 5.2.1), so it was handed NOTIFY and
 *     ORCPT and reports success itself; false for local delivery and for a next hop without DSN
 */
public record RecipientOutcome(
        int recipientIndex,
        DeliveryStatus status,
        EnhancedStatus enhancedStatus,
        String diagnostic,
        String remoteMta,
        SmtpReply reply,
        boolean nextHopDsn) {

    public RecipientOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        Objects.requireNonNull(diagnostic, "diagnostic");
    }

    /** An outcome no reply stands behind (local delivery, DNS, a host that could not be reached). */
    public RecipientOutcome(
            int recipientIndex,
            DeliveryStatus status,
            EnhancedStatus enhancedStatus,
            String diagnostic,
            String remoteMta) {
        this(recipientIndex, status, enhancedStatus, diagnostic, remoteMta, null, false);
    }

    /** The outcome a remote reply means: 2xx delivered, 4xx temporary, 5xx permanent. */
    public static RecipientOutcome fromReply(int recipientIndex, SmtpReply reply, String remoteMta) {
        return fromReply(recipientIndex, reply, remoteMta, false);
    }

    /**
     * As {@link #fromReply(int, SmtpReply, String)}, from a next hop that did ({@code nextHopDsn}) or did
     * not announce DSN.
     */
    public static RecipientOutcome fromReply(
            int recipientIndex, SmtpReply reply, String remoteMta, boolean nextHopDsn) {
        DeliveryStatus status = reply.isPositive()
                ? DeliveryStatus.DELIVERED
                : reply.isTransientFailure() ? DeliveryStatus.TEMPORARY : DeliveryStatus.PERMANENT;
        // RFC 3464 2.3.4: the remote's own enhanced code when it gave one, else the class alone.
        EnhancedStatus enhanced =
                reply.status() != null ? reply.status() : new EnhancedStatus(reply.code() / 100, 0, 0);
        return new RecipientOutcome(
                recipientIndex,
                status,
                enhanced,
                reply.code() + " " + String.join(" ", reply.lines()),
                remoteMta,
                reply,
                nextHopDsn);
    }

    public static RecipientOutcome temporary(int recipientIndex, String enhanced, String diagnostic, String remoteMta) {
        return new RecipientOutcome(
                recipientIndex, DeliveryStatus.TEMPORARY, EnhancedStatus.parse(enhanced), diagnostic, remoteMta);
    }

    public static RecipientOutcome permanent(int recipientIndex, String enhanced, String diagnostic, String remoteMta) {
        return new RecipientOutcome(
                recipientIndex, DeliveryStatus.PERMANENT, EnhancedStatus.parse(enhanced), diagnostic, remoteMta);
    }

    public static RecipientOutcome delivered(int recipientIndex, String diagnostic, String remoteMta) {
        return new RecipientOutcome(
                recipientIndex, DeliveryStatus.DELIVERED, EnhancedStatus.parse("2.0.0"), diagnostic, remoteMta);
    }
}
