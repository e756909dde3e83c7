package dev.tern.server.sink;

import dev.tern.smtp.codec.DataContent;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The content of the message being received: its size, whether it grew past the limit, and its octets
 * when the sink stores messages (kept as slices of the received buffers, never copied).
 */
final class SinkMessage {
    private final long maxSize;
    private long size;
    private boolean tooBig;
    private CompositeByteBuf content;

    private SinkMessage(long maxSize, CompositeByteBuf content) {
        this.maxSize = maxSize;
        this.content = content;
    }

    /** A message to count only, or, with {@code keep}, also to keep for storing. */
    static SinkMessage begin(long maxSize, boolean keep, ByteBufAllocator alloc) {
        return new SinkMessage(maxSize, keep ? alloc.compositeBuffer(Integer.MAX_VALUE) : null);
    }

    void add(DataContent data) {
        size += data.content().readableBytes();
        if (size > maxSize) {
            // Read on to the end, keeping nothing: client and sink stay in step (RFC 1870 6.2).
            tooBig = true;
            release();
        } else if (content != null) {
            content.addComponent(true, data.content().retain());
        }
    }

    long size() {
        return size;
    }

    boolean tooBig() {
        return tooBig;
    }

    /** The kept octets, handed over to the caller (who releases them), or null when not kept. */
    CompositeByteBuf takeContent() {
        CompositeByteBuf taken = content;
        content = null;
        return taken;
    }

    void release() {
        if (content != null) {
            content.release();
            content = null;
        }
    }
}
