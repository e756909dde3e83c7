package dev.tern.relay.delivery;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.Objects;

/**
 * The outcome of one attempt for one recipient.
 *
 * <p>When a remote server decided, the outcome says so in types, for the DSN (RFC 3464 2.3): {@code
 * remoteMta} is the {@code Remote-MTA}, {@code remoteReply} the {@code Diagnostic-Code} (its code,
 * enhanced code and every text line), and {@code remoteDsn} whether an accepted recipient was
 * {@code delivered} or {@code relayed} (RFC 3461 6.2: a server without DSN will not report further).
 *
 * @param recipientIndex the recipient's index in the message's envelope
 * @param status delivered, temporary or permanent
 * @param enhancedStatus the RFC 3463 code that describes it (also for local outcomes)
 * @param diagnostic what happened, for logs and the DSN's Diagnostic-Code: the remote reply's text, or our reason
 * @param remoteMta the host name of the server that answered (or that the connection was to), or null for
 *     local delivery and failures before any server (DNS, every host unreachable)
 * @param remoteReply the server's reply that decided this outcome, as received; null when no reply decided
 *     (local delivery, a timeout, a lost connection, a limit the server announced in EHLO)
 * @param remoteDsn whether {@code remoteMta} announced DSN (RFC 3461 4) in its EHLO reply; false without one
 */
public record RecipientOutcome(
        int recipientIndex,
        DeliveryStatus status,
        EnhancedStatus enhancedStatus,
        String diagnostic,
        String remoteMta,
        SmtpReply remoteReply,
        boolean remoteDsn) {

    public RecipientOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        Objects.requireNonNull(diagnostic, "diagnostic");
        if (remoteReply != null && remoteMta == null) {
            throw new IllegalArgumentException("a remote reply comes from a remote MTA");
        }
        // Kept in the queue, the spool and reports once per recipient: a hostile server's text is bounded.
        diagnostic = SmtpReply.cut(diagnostic, SmtpReply.MAX_KEPT_TEXT);
        remoteReply = remoteReply == null ? null : remoteReply.bounded(SmtpReply.MAX_KEPT_TEXT);
    }

    /** An outcome no remote reply decided. */
    public RecipientOutcome(
            int recipientIndex,
            DeliveryStatus status,
            EnhancedStatus enhancedStatus,
            String diagnostic,
            String remoteMta) {
        this(recipientIndex, status, enhancedStatus, diagnostic, remoteMta, null, false);
    }

    /** The outcome a remote reply means: 2xx delivered, 4xx temporary, 5xx permanent. */
    public static RecipientOutcome fromReply(int recipientIndex, SmtpReply reply, String remoteMta, boolean remoteDsn) {
        DeliveryStatus status = reply.isPositive()
                ? DeliveryStatus.DELIVERED
                : reply.isTransientFailure() ? DeliveryStatus.TEMPORARY : DeliveryStatus.PERMANENT;
        EnhancedStatus enhanced =
                reply.status() != null ? reply.status() : new EnhancedStatus(reply.code() / 100, 0, 0);
        return new RecipientOutcome(
                recipientIndex,
                status,
                enhanced,
                reply.code() + " " + String.join(" ", reply.lines()),
                remoteMta,
                reply,
                remoteDsn);
    }

    /** As {@link #fromReply(int, SmtpReply, String, boolean)} from a server whose DSN support is unknown. */
    public static RecipientOutcome fromReply(int recipientIndex, SmtpReply reply, String remoteMta) {
        return fromReply(recipientIndex, reply, remoteMta, false);
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

    /**
     * What decided this outcome, for a person: the server's reply whole, with its enhanced status code, when one
     * did, else the diagnostic.
     */
    public String said() {
        return remoteReply != null ? remoteReply.toString() : diagnostic;
    }

    /** The same outcome from a server that did ({@code true}) or did not announce DSN. */
    public RecipientOutcome withRemoteDsn(boolean dsn) {
        return new RecipientOutcome(recipientIndex, status, enhancedStatus, diagnostic, remoteMta, remoteReply, dsn);
    }
}
