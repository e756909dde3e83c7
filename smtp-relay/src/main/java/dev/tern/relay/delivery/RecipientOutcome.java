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
 * @param diagnostic what happened, for logs and the DSN's Diagnostic-Code: the remote reply's text, or our reason
 * @param remoteMta the host that answered (DSN Remote-MTA), or null for local delivery and DNS failures
 */
public record RecipientOutcome(
        int recipientIndex, DeliveryStatus status, EnhancedStatus enhancedStatus, String diagnostic, String remoteMta) {

    public RecipientOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        Objects.requireNonNull(diagnostic, "diagnostic");
    }

    /** The outcome a remote reply means: 2xx delivered, 4xx temporary, 5xx permanent. */
    public static RecipientOutcome fromReply(int recipientIndex, SmtpReply reply, String remoteMta) {
        DeliveryStatus status = reply.isPositive()
                ? DeliveryStatus.DELIVERED
                : reply.isTransientFailure() ? DeliveryStatus.TEMPORARY : DeliveryStatus.PERMANENT;
        EnhancedStatus enhanced =
                reply.status() != null ? reply.status() : new EnhancedStatus(reply.code() / 100, 0, 0);
        return new RecipientOutcome(
                recipientIndex, status, enhanced, reply.code() + " " + String.join(" ", reply.lines()), remoteMta);
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
