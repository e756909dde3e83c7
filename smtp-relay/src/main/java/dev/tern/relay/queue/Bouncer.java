package dev.tern.relay.queue;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Writes the delivery status notifications the queue sends back to senders (RFC 3464). */
public interface Bouncer {

    /** A notification: sent from the null reverse-path, so it is never bounced itself (RFC 5321 6.1). */
    record Notification(Envelope envelope, ByteBuf content) {}

    /** The DSN for recipients that failed for good, or empty when none is due (null sender, NOTIFY). */
    Optional<Notification> failed(
            QueueId id, Envelope envelope, Instant arrival, List<RecipientOutcome> failed, ByteBuf original);

    /** The "still trying" DSN, or empty when none is due. */
    Optional<Notification> delayed(
            QueueId id,
            Envelope envelope,
            Instant arrival,
            List<RecipientOutcome> delayed,
            ByteBuf original,
            Instant retryUntil);
}
