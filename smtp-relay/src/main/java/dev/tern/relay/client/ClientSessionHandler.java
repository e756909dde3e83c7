package dev.tern.relay.client;

import dev.tern.relay.client.ConnectionBroken.Kind;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.SmtpReplyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The last handler of the client pipeline: {@link #send} writes a command and returns the stage of
 * its reply. One future waits per awaited reply ({@link AwaitedReplies}), in the order the commands
 * were written, so PIPELINING (RFC 2920 3.1) is writing several before flushing. The decoder
 * completes them in order; a reply that cannot answer the command at the head (RFC 5321 4.2: every
 * command gets exactly one reply) is a protocol error that ends the connection, never a reply taken
 * for the next command. The head's RFC 5321 4.5.3.2 timeout runs here. When the connection breaks,
 * every waiting future fails with a {@link ConnectionBroken}. Every method runs on the channel's
 * event loop.
 */
final class ClientSessionHandler extends ChannelInboundHandlerAdapter {

    private final ReplyArrivals arrivals = new ReplyArrivals();
    private final AwaitedReplies awaited = new AwaitedReplies(arrivals);
    private final CompletableFuture<ConnectionBroken> ended = new CompletableFuture<>();
    private final List<CompletableFuture<Void>> stepWaiters = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    /** When the peer last took some of the content being sent. */
    private long lastProgressNanos;
    /** Under TLS: when a record last went out whole, for the sending of content to be seen going on. */
    private final RecordsWritten recordsWritten = new RecordsWritten();

    private ConnectionBroken broken;
    private boolean reading;
    /** Between the 220 to STARTTLS and the end of the handshake: replies read now are plaintext. */
    private boolean discardPlaintext;

    /** The handler that goes between TLS and the socket. */
    RecordsWritten recordsWritten() {
        return recordsWritten;
    }

    /** The handler that goes in front of the reply decoder. */
    ReplyArrivals arrivals() {
        return arrivals;
    }

    boolean isBroken() {
        return broken != null;
    }

    /** Completes when the connection can carry no more replies (also after {@link #close()}). */
    CompletionStage<ConnectionBroken> ended() {
        return ended;
    }

    /** Awaits a reply no command asks for: the greeting (RFC 5321 3.1, 4.5.3.2.1). */
    CompletionStage<SmtpReply> expect(String what, Duration timeout) {
        return await(what, null, timeout);
    }

    /** Writes a command without flushing; the stage completes with its reply, after those awaited before it. */
    CompletionStage<SmtpReply> send(SmtpCommand command, Duration timeout) {
        CompletionStage<SmtpReply> reply = await(command.verb().name(), command.verb(), timeout);
        if (broken == null) {
            ctx.write(command).addListener(this::checkWrite);
        }
        return reply;
    }

    void flush() {
        if (broken == null) {
            ctx.flush();
        }
    }

    /**
     * Writes and flushes message content, after {@code prefix} when not null (BDAT's command line,
     * which has no reply of its own before the content). {@code blockTimeout} limits the sending (RFC
     * 5321 4.5.3.2.5); the wait for the reply, {@code replyTimeout}, starts when the content is out
     * (4.5.3.2.6). Takes over {@code content}.
     */
    CompletionStage<SmtpReply> sendContent(
            SmtpCommand prefix, ByteBuf content, String what, Duration blockTimeout, Duration replyTimeout) {
        CompletionStage<SmtpReply> reply = await(what, null, replyTimeout);
        if (broken != null) {
            content.release();
            return reply;
        }
        if (prefix != null) {
            ctx.write(prefix).addListener(this::checkWrite);
        }
        cancelTimer();
        // RFC 5321 4.5.3.2.5: the timeout is for each send, not the whole message: a slow peer that keeps
        // taking data is not given up on (as Postfix's smtp_data_xfer_timeout). In plaintext the content is
        // one buffer whose partial writes report progress; under TLS it goes out as records, each of which
        // RecordsWritten sees leave whole.
        ChannelProgressivePromise written = ctx.newProgressivePromise();
        written.addListener(new ChannelProgressiveFutureListener() {
            @Override
            public void operationProgressed(ChannelProgressiveFuture f, long progress, long total) {
                lastProgressNanos = System.nanoTime();
            }

            @Override
            public void operationComplete(ChannelProgressiveFuture f) {
                checkWrite(f);
                if (f.isSuccess() && broken == null) {
                    cancelTimer();
                    arm();
                }
            }
        });
        lastProgressNanos = System.nanoTime();
        watchSending(what, blockTimeout);
        ctx.writeAndFlush(content, written);
        return reply;
    }

    /**
     * Fails the connection once nothing of the content has been taken for {@code blockTimeout}; looks four
     * times a timeout, so a stall is noticed within a quarter of it.
     */
    private void watchSending(String what, Duration blockTimeout) {
        long now = System.nanoTime();
        lastProgressNanos = Math.max(lastProgressNanos, recordsWritten.lastNanos());
        long left = lastProgressNanos + blockTimeout.toNanos() - now;
        if (left <= 0) {
            timer = null;
            fail(Kind.TIMEOUT, "could not send " + what + ": the server took nothing for " + text(blockTimeout));
            return;
        }
        long look = Math.min(left, blockTimeout.toNanos() / 4 + 1);
        timer = ctx.executor().schedule(() -> watchSending(what, blockTimeout), look, TimeUnit.NANOSECONDS);
    }

    /**
     * Completes once every reply read so far has been handled (at the end of the current read), so a
     * decision taken on a reply is not acted on while a surplus reply read with it waits to be seen.
     * Fails if the connection breaks first.
     */
    CompletionStage<Void> inStep() {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        if (broken != null) {
            settled.completeExceptionally(broken);
        } else if (reading) {
            stepWaiters.add(settled);
        } else {
            settled.complete(null);
        }
        return settled;
    }

    /**
     * Starts TLS after the 220 to STARTTLS (RFC 3207 4.2); completes when the handshake has. Bytes the
     * server sent after that 220 came in plaintext and must never be read as TLS-protected replies
     * (the client-side twin of CVE-2011-0411): the reply decoder holding them is dropped, its
     * leftovers are released in {@link #channelRead}, replies already decoded are discarded until
     * the handshake ends, and a fresh decoder reads what TLS delivers.
     */
    CompletionStage<Void> startTls(SslHandler tls) {
        discardPlaintext = true;
        ChannelPipeline p = ctx.pipeline();
        p.remove(ClientPipelineNames.REPLY_DECODER);
        p.addBefore(ClientPipelineNames.COMMAND_ENCODER, ClientPipelineNames.REPLY_DECODER, new SmtpReplyDecoder());
        p.addFirst(ClientPipelineNames.TLS, tls);
        p.addFirst(ClientPipelineNames.RECORDS_WRITTEN, recordsWritten);
        return watchHandshake(tls);
    }

    /** Fails the connection when the handshake fails; the stage completes when it succeeds. */
    CompletionStage<Void> watchHandshake(SslHandler tls) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tls.handshakeFuture().addListener(f -> {
            if (f.isSuccess() && broken == null) {
                discardPlaintext = false;
                arrivals.reset();
                done.complete(null);
                return;
            }
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                // A peer that closes instead of answering the handshake leaves an exception without a message.
                fail(
                        Kind.TLS,
                        "TLS handshake failed: "
                                + (cause.getMessage() != null ? cause.getMessage() : TransportErrors.describe(cause)));
            }
            done.completeExceptionally(broken);
        });
        return done;
    }

    /** The TCP connection did not come about. */
    void connectFailed(Throwable cause) {
        fail(Kind.CONNECT, TransportErrors.describe(cause));
    }

    /** Closes the connection; whatever still waits fails, as if the peer had closed it. */
    void close() {
        fail(Kind.CLOSED, "connection closed by us");
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
        reading = true;
        if (broken != null || discardPlaintext) {
            return;
        }
        cancelTimer();
        String outOfStep = awaited.answer(reply);
        if (outOfStep != null) {
            fail(Kind.PROTOCOL, outOfStep);
            return;
        }
        arm();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        List<CompletableFuture<Void>> waiters = List.copyOf(stepWaiters);
        stepWaiters.clear();
        waiters.forEach(w -> w.complete(null));
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Tern closes its own connections when its event loops stop: say so, not that the server did.
        fail(
                Kind.CLOSED,
                ctx.executor().isShuttingDown()
                        ? "connection closed as Tern shuts down"
                        : "connection closed by the server");
        ctx.fireChannelInactive();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        fail(Kind.CLOSED, "connection closed");
        ctx.fireChannelUnregistered();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
            fail(Kind.TLS, "TLS: " + ssl.getMessage());
        } else if (cause instanceof DecoderException) {
            fail(Kind.PROTOCOL, "malformed reply: " + cause.getMessage());
        } else {
            fail(Kind.CLOSED, TransportErrors.describe(cause));
        }
    }

    private CompletionStage<SmtpReply> await(String what, SmtpVerb verb, Duration timeout) {
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        CompletableFuture<SmtpReply> reply = awaited.add(what, verb, timeout);
        arm();
        return reply;
    }

    private void checkWrite(Future<?> future) {
        if (!future.isSuccess()) {
            fail(Kind.CLOSED, "write failed: " + TransportErrors.describe(future.cause()));
        }
    }

    private void arm() {
        AwaitedReplies.Awaited head = awaited.head();
        if (timer != null || broken != null || ctx == null || !ctx.channel().isActive() || head == null) {
            return;
        }
        timer = ctx.executor()
                .schedule(
                        () -> fail(Kind.TIMEOUT, "no reply to " + head.what() + " within " + text(head.timeout())),
                        head.timeout().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fail(Kind kind, String reason) {
        if (broken != null) {
            return;
        }
        broken = new ConnectionBroken(kind, reason);
        cancelTimer();
        if (ctx != null) {
            ctx.close();
        }
        awaited.failAll(broken);
        List<CompletableFuture<Void>> waiters = List.copyOf(stepWaiters);
        stepWaiters.clear();
        waiters.forEach(w -> w.completeExceptionally(broken));
        ended.complete(broken);
    }

    /** A timeout as configured: 10m, 30s, 300ms. */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
