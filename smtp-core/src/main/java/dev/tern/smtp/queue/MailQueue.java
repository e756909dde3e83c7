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
}
