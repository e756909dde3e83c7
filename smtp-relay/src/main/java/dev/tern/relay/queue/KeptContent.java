package dev.tern.relay.queue;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message content kept in memory from its acceptance to its first attempt, so that the attempt reads
 * nothing back from the spool: a retained duplicate of the buffer the spool wrote, which holds the same
 * octets. At most {@code maxBytes} are kept at once; past it a message is read from the spool as before.
 * The spool stays the record: a kept copy is only ever a faster way to the same octets. Safe from any
 * thread.
 */
final class KeptContent {
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();

    KeptContent(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A duplicate of {@code content} to keep (the caller's reference is untouched), or null past the bound. */
    ByteBuf keep(ByteBuf content) {
        int n = content.readableBytes();
        if (bytes.addAndGet(n) > maxBytes) {
            bytes.addAndGet(-n);
            return null;
        }
        return content.retainedDuplicate();
    }

    /** {@code kept} leaves the account; the caller now owns it and releases it. Null passes through. */
    ByteBuf take(ByteBuf kept) {
        if (kept != null) {
            bytes.addAndGet(-kept.readableBytes());
        }
        return kept;
    }

    /** Releases {@code kept}, if any. */
    void drop(ByteBuf kept) {
        ByteBuf taken = take(kept);
        if (taken != null) {
            taken.release();
        }
    }

    /** Bytes kept now. */
    long bytes() {
        return bytes.get();
    }
}
