package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import java.util.List;
import java.util.Objects;

/**
 * A message the spool owns, without its content: the content stays on disk and is read with
 * {@link Spool#readContent(SpooledMessage)} when a delivery needs it.
 *
 * @param id the queue id given at acceptance
 * @param arrivalMillis when it was accepted (epoch millis)
 * @param envelope reverse-path, recipients and MAIL parameters
 * @param states one state per recipient, in the envelope's order
 * @param segment the sequence number of the segment holding the content
 * @param contentOffset where the content starts in that segment
 * @param contentLength the content's length in bytes
 * @param held the operator holds it: nothing is attempted until it is released
 */
public record SpooledMessage(
        QueueId id,
        long arrivalMillis,
        Envelope envelope,
        List<RecipientState> states,
        long segment,
        long contentOffset,
        int contentLength,
        boolean held) {

    public SpooledMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(envelope, "envelope");
        states = List.copyOf(states);
        if (states.size() != envelope.recipients().size()) {
            throw new IllegalArgumentException("one state per recipient");
        }
    }
}
