package dev.tern.smtp.queue;

import dev.tern.smtp.Envelope;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Where accepted mail goes. An implementation takes durable responsibility: the returned stage
 * completes with the queue id only once the envelope and content are forced to stable storage, and
 * completes exceptionally (with {@link QueueException}) when they could not be, in which case nothing
 * of the message is ever delivered.
 *
 * <p>Implementations must not block the calling thread: callers are Netty event loops.
 */
public interface MailQueue {

    /**
     * Stores a message. {@code content} is the whole message as it will be delivered (header section
     * and body, CRLF line ends, not dot-stuffed); ownership passes to the queue, which releases it.
     */
    CompletionStage<QueueId> enqueue(Envelope envelope, ByteBuf content);

    /**
     * A transaction has begun that may bring a message (its {@code MAIL} was accepted). Each call is matched
     * by one {@link #transactionEnded()}. A queue that forces several messages with one flush may hold a
     * flush back briefly while transactions are open, for the messages they are about to hand over; with
     * none open it need not wait for anything.
     */
    default void transactionStarted() {}

    /**
     * A transaction counted by {@link #transactionStarted()} is over without a message handed over (refused,
     * reset, the connection gone); a message ends its transaction through {@link #handOver}, whose default
     * calls this after {@link #enqueue}.
     */
    default void transactionEnded() {}

    /**
     * Stores the message of a transaction counted by {@link #transactionStarted()}, and ends that
     * transaction: {@link #enqueue} then {@link #transactionEnded()}, except that a queue which holds a flush
     * back for open transactions stops counting this one before its message reaches the flush, so that the
     * flush never waits for the message it already holds.
     */
    default CompletionStage<QueueId> handOver(Envelope envelope, ByteBuf content) {
        try {
            return enqueue(envelope, content);
        } finally {
            transactionEnded();
        }
    }
}
