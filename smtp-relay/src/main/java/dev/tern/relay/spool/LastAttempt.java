package dev.tern.relay.spool;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpText;
import java.util.Objects;

/**
 * What the last attempt for one recipient came to, kept as the values a delivery status notification
 * reports (RFC 3464 2.3.4 to 2.3.7), so that a report written after a restart says what the one
 * written before it would have said.
 *
 * @param atMillis when the attempt ended (epoch millis; 0 when a format-1 segment did not say)
 * @param status the RFC 3463 code of the recipient's state: the remote one when the reply had one, or
 *     ours (e.g. {@code 4.4.7} when the queue gave up)
 * @param reply the remote reply as received (code, enhanced code, text lines), or null when no server
 *     answered for this recipient (local delivery, DNS, a connection that failed)
 * @param remoteMta the host that answered or was tried (RFC 3464 2.3.5), or null for local outcomes
 * @param diagnostic what happened in our words, for logs and the report's human part; never null
 * @param nextHopDsn true when the next hop announced DSN and was handed NOTIFY and ORCPT (RFC 3461
 *     5.2.1): reporting success is then its business, not ours
 */
public record LastAttempt(
        long atMillis,
        EnhancedStatus status,
        SmtpReply reply,
        String remoteMta,
        String diagnostic,
        boolean nextHopDsn) {

    public LastAttempt {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(diagnostic, "diagnostic");
        if (atMillis < 0) {
            throw new IllegalArgumentException("attempt time before 1970: " + atMillis);
        }
        if (remoteMta != null) {
            // It becomes a Remote-MTA field (RFC 3464 2.3.5): one line, one name.
            SmtpText.requireSingleLine(remoteMta, "remote MTA");
        }
    }

    /** An outcome no server gave: local delivery, or a reason of our own. */
    public static LastAttempt local(long atMillis, EnhancedStatus status, String diagnostic) {
        return new LastAttempt(atMillis, status, null, null, diagnostic, false);
    }

    /** The same attempt with another status and diagnostic, e.g. when the queue gives up after it. */
    public LastAttempt restated(EnhancedStatus newStatus, String newDiagnostic) {
        return new LastAttempt(atMillis, newStatus, reply, remoteMta, newDiagnostic, nextHopDsn);
    }
}
