package dev.tern.relay.client;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.codec.SmtpReplyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The last handler of the client pipeline: matches replies to the commands sent, in order (which
 * makes PIPELINING, RFC 2920 3.1, a matter of queueing), runs the RFC 5321 4.5.3.2 timeout of the
 * reply at the head of the queue, and tells the current {@link Listener} about each reply or about
 * the end of the connection. What the replies mean is the listener's business; every method runs on
 * the channel's event loop.
 */
final class ClientSessionHandler extends ChannelInboundHandlerAdapter {

    /** The conversation step being run: session setup, a transaction, or the idle pool. */
    interface Listener {
        void onReply(SmtpReply reply);

        /** The connection is gone or unusable; called once, after which nothing more arrives. */
        void onBroken(Broken broken);

        /** The STARTTLS handshake succeeded. */
        default void onTlsReady() {}
    }

    enum BrokenKind {
        CLOSED,
        TIMEOUT,
        PROTOCOL,
        TLS
    }

    record Broken(BrokenKind kind, String reason) {}

    private record Expected(String what, Duration timeout) {}

    private final ArrayDeque<Expected> expected = new ArrayDeque<>();
    private Listener listener;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean broken;
    /** Between the 220 to STARTTLS and the end of the handshake: replies read now are plaintext. */
    private boolean discardPlaintext;

    ClientSessionHandler(Listener listener) {
        this.listener = listener;
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    boolean isBroken() {
        return broken;
    }

    /** Waits for one more reply (the greeting, or the reply to a command written by other means). */
    void expect(String what, Duration timeout) {
        expected.add(new Expected(what, timeout));
        arm();
    }

    /** Writes a command without flushing and waits for its reply after those already awaited. */
    void send(SmtpCommand command, Duration timeout) {
        expected.add(new Expected(command.verb().name(), timeout));
        ctx.write(command).addListener(this::checkWrite);
        arm();
    }

    void flush() {
        ctx.flush();
    }

    /**
     * Writes and flushes message content, after {@code prefix} when not null (BDAT's command line,
     * which has no reply of its own before the content); {@code blockTimeout} limits the sending (RFC 5321
     * 4.5.3.2.5), and the wait for the final reply starts when the content is out (4.5.3.2.6).
     */
    void sendContent(SmtpCommand prefix, ByteBuf content, String what, Duration blockTimeout, Duration finalTimeout) {
        expected.add(new Expected(what, finalTimeout));
        if (prefix != null) {
            ctx.write(prefix).addListener(this::checkWrite);
        }
        cancelTimer();
        timer = ctx.executor()
                .schedule(
                        () -> fail(BrokenKind.TIMEOUT, "timeout sending " + what + " after " + blockTimeout),
                        blockTimeout.toNanos(),
                        TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(content).addListener(f -> {
            checkWrite(f);
            if (f.isSuccess() && !broken) {
                cancelTimer();
                arm();
            }
        });
    }

    /**
     * Starts TLS after the 220 to STARTTLS (RFC 3207 4.2). Bytes the server sent after that 220 came
     * in plaintext and must never be read as TLS-protected replies (the client-side twin of
     * CVE-2011-0411): the reply decoder holding them is dropped, its leftovers are released in
     * {@link #channelRead}, replies already decoded are discarded until the handshake ends, and a
     * fresh decoder reads what TLS delivers.
     */
    void startTls(SslHandler tls) {
        discardPlaintext = true;
        ChannelPipeline p = ctx.pipeline();
        p.remove(ClientPipelineNames.REPLY_DECODER);
        p.addBefore(ClientPipelineNames.COMMAND_ENCODER, ClientPipelineNames.REPLY_DECODER, new SmtpReplyDecoder());
        p.addFirst(ClientPipelineNames.TLS, tls);
        watchHandshake(tls);
    }

    void watchHandshake(SslHandler tls) {
        tls.handshakeFuture().addListener(f -> {
            if (broken) {
                return;
            }
            if (f.isSuccess()) {
                discardPlaintext = false;
                listener.onTlsReady();
            } else {
                fail(BrokenKind.TLS, "TLS handshake failed: " + f.cause().getMessage());
            }
        });
    }

    /** Closes the connection without telling the listener (it asked for it). */
    void close() {
        broken = true;
        cancelTimer();
        expected.clear();
        ctx.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof SmtpReply reply)) {
            // Plaintext left in the old decoder after STARTTLS's 220: never read it.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (broken || discardPlaintext) {
            return;
        }
        Expected head = expected.poll();
        if (head == null) {
            fail(BrokenKind.PROTOCOL, "unexpected reply: " + reply);
            return;
        }
        cancelTimer();
        arm();
        listener.onReply(reply);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(BrokenKind.CLOSED, "connection closed by the server");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
            fail(BrokenKind.TLS, "TLS: " + ssl.getMessage());
        } else if (cause instanceof DecoderException) {
            fail(BrokenKind.PROTOCOL, "malformed reply: " + cause.getMessage());
        } else {
            fail(BrokenKind.CLOSED, "connection error: " + cause.getMessage());
        }
    }

    private void checkWrite(Future<?> future) {
        if (!future.isSuccess()) {
            fail(BrokenKind.CLOSED, "write failed: " + future.cause().getMessage());
        }
    }

    private void arm() {
        if (timer != null || broken || ctx == null || !ctx.channel().isActive() || expected.isEmpty()) {
            return;
        }
        Expected head = expected.peek();
        timer = ctx.executor()
                .schedule(
                        () -> fail(
                                BrokenKind.TIMEOUT,
                                "no reply to " + head.what() + " within "
                                        + head.timeout().toSeconds() + "s"),
                        head.timeout().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fail(BrokenKind kind, String reason) {
        if (broken) {
            return;
        }
        broken = true;
        cancelTimer();
        expected.clear();
        if (ctx != null) {
            ctx.close();
        }
        listener.onBroken(new Broken(kind, reason));
    }
}
