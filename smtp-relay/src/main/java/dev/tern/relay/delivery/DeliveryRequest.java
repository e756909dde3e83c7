package dev.tern.relay.delivery;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * One attempt to deliver one message to the recipients that share a destination.
 *
 * @param id the message's queue id, for logs
 * @param envelope the whole envelope as spooled
 * @param recipientIndexes which of the envelope's recipients this attempt is for (all share a destination)
 * @param content the message (header and body, CRLF, not dot-stuffed); the caller owns it and releases it
 *     after the stage completes; a transport that needs it longer retains it
 */
public record DeliveryRequest(QueueId id, Envelope envelope, List<Integer> recipientIndexes, ByteBuf content) {
    public DeliveryRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(content, "content");
        recipientIndexes = List.copyOf(recipientIndexes);
        if (recipientIndexes.isEmpty()) {
            throw new IllegalArgumentException("an attempt has at least one recipient");
        }
    }
}
