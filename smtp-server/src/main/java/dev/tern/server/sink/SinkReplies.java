package dev.tern.server.sink;

import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.codec.SmtpLineDecoder;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * How a sink connection answers: every reply after the sink's delay (plus any extra, for the reply to a
 * message's end), then what follows it. A reply that waits pauses the line decoder, so the replies to
 * pipelined commands (RFC 2920) leave in the order of the commands. Replies written while input is
 * being read are flushed once the read is done; others at once.
 */
final class SinkReplies {
    /** What follows a reply once it is written. */
    enum After {
        CONTINUE,
        CLOSE,
        /** RFC 3207: TLS starts with the next octet the client sends. */
        START_TLS
    }

    private final Sink sink;
    private final SmtpLineDecoder lines;
    private final ChannelHandlerContext ctx;
    private boolean inRead;
    private boolean closing;

    SinkReplies(Sink sink, SmtpLineDecoder lines, ChannelHandlerContext ctx) {
        this.sink = sink;
        this.lines = lines;
        this.ctx = ctx;
    }

    /** The session is handling received input: writes wait for the flush after the read. */
    void reading(boolean reading) {
        this.inRead = reading;
    }

    /** Whether the connection is being closed: nothing more is answered. */
    boolean closing() {
        return closing;
    }

    void reply(SmtpReply reply) {
        respond(reply, 0, After.CONTINUE);
    }

    /** Writes {@code reply} after the sink's delay plus {@code extraNanos}, then does {@code after}. */
    void respond(SmtpReply reply, long extraNanos, After after) {
        if (after == After.CLOSE) {
            closing = true;
        }
        long wait = sink.options.delay().toNanos() + extraNanos;
        if (wait == 0) {
            write(reply, after);
            return;
        }
        lines.pause();
        // The event loop's scheduler, never a sleeping thread.
        ctx.executor()
                .schedule(
                        () -> {
                            if (ctx.channel().isActive()) {
                                write(reply, after);
                            }
                        },
                        wait,
                        TimeUnit.NANOSECONDS);
    }

    /** Closes the connection without a reply (a drop, a failed handshake). */
    void close() {
        closing = true;
        ctx.close();
    }

    private void write(SmtpReply reply, After after) {
        ChannelFuture written = inRead && after == After.CONTINUE ? ctx.write(reply) : ctx.writeAndFlush(reply);
        switch (after) {
            case CONTINUE -> lines.resume();
            case CLOSE -> written.addListener(ChannelFutureListener.CLOSE);
            case START_TLS -> startTls();
        }
    }

    private void startTls() {
        if (lines.hasBufferedInput()) {
            // Plaintext arrived while the 220 waited: never read as if it came over TLS (CVE-2011-0411).
            lines.discardBufferedInput();
            close();
            return;
        }
        SslHandler handler = sink.tls.newHandler(ctx.alloc());
        handler.setHandshakeTimeout(sink.options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.pipeline().addFirst(SinkInitializer.TLS, handler);
        lines.resume();
    }
}
