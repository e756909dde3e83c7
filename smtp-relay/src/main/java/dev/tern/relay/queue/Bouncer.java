package dev.tern.relay.queue;

import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the delivery status notifications the queue sends back to senders (RFC 3464). Everything a
 * report says of a recipient comes from what the spool recorded for it, so a report written after a
 * restart says what it would have said before.
 */
public interface Bouncer {

    /**
     * The report for {@code report}'s recipients, or empty when none is due (null reverse-path, or no
     * listed recipient asked for this kind with NOTIFY). {@code original} is only read; the caller owns it.
     */
    Optional<Notification> report(Report report, ByteBuf original);

    /** A notification: sent from the null reverse-path, so it is never bounced itself (RFC 5321 6.1). */
    record Notification(Envelope envelope, ByteBuf content) {}

    /** Which report (RFC 3461 4.1 NOTIFY keywords). */
    enum Kind {
        /** Recipients that failed for good: "failed". */
        FAILURE,
        /** The "still trying" warning: "delayed". */
        DELAY,
        /** Delivered here ("delivered") or passed to a next hop that does not report it ("relayed"). */
        SUCCESS
    }

    /** One recipient a report is about: its index in the envelope and its last attempt as spooled. */
    record Recipient(int index, LastAttempt last) {
        public Recipient {
            Objects.requireNonNull(last, "last");
        }
    }

    /**
     * What a report is about.
     *
     * @param retryUntil for {@link Kind#DELAY}, when the queue gives up (RFC 3464 2.3.9); null otherwise
     */
    record Report(
            Kind kind, QueueId id, Envelope envelope, Instant arrival, List<Recipient> recipients, Instant retryUntil) {
        public Report {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(envelope, "envelope");
            Objects.requireNonNull(arrival, "arrival");
            recipients = List.copyOf(recipients);
        }
    }
}
