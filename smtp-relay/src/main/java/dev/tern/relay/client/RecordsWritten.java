package dev.tern.relay.client;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Sits between TLS and the socket and notes when a TLS record was last written out whole: how the sending
 * of a message's content is seen to go on under TLS, where the content leaves as records, not as the one
 * buffer whose partial writes report progress in plaintext (RFC 5321 4.5.3.2.5 counts each send).
 */
final class RecordsWritten extends ChannelOutboundHandlerAdapter {
    private long lastNanos;
    private final ChannelFutureListener written = f -> {
        if (f.isSuccess()) {
            lastNanos = System.nanoTime();
        }
    };

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // TLS gives each record a promise of its own; a void one (nothing to learn from it) passes as it is.
        ctx.write(msg, promise.isVoid() ? promise : promise.addListener(written));
    }

    /** When a record was last written out whole (by {@link System#nanoTime()}), or 0. */
    long lastNanos() {
        return lastNanos;
    }
}
