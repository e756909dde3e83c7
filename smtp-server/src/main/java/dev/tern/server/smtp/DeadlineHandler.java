package dev.tern.server.smtp;

import dev.tern.server.config.TimeoutsConfig;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the time a client may hold a session without making progress.
 *
 * <ul>
 *   <li>Idle: no byte for the command timeout (RFC 5321 4.5.3.2.7, 5 minutes), or for the data-block
 *       timeout while a message body is read (4.5.3.2.5, 3 minutes).
 *   <li>The client's turn, from its first byte after our last reply until our next reply, may last the
 *       idle limit plus the time its octets earn at the minimum data rate (as Postfix's
 *       smtpd_min_data_rate does), so a pause of up to the idle limit is never cut, and a byte-a-second
 *       sender cannot hold a session much longer than a silent one.
 *   <li>A command line (not a message body) must arrive whole within the per-command deadline.
 * </ul>
 *
 * Time spent on our own slow work (spool write, password check) never counts against the client.
 * One timer per connection, re-armed only when it fires (cheap with ten thousand idle sessions).
 */
final class DeadlineHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadlineHandler.class);

    private final SmtpSession session;
    private final long commandTimeout;
    private final long dataTimeout;
    private final long commandDeadline;
    private final long minDataRate;

    private long lastReadNanos;
    /** Start of the client's turn, or 0 when it is our turn. */
    private long turnStartNanos;

    private long turnBytes;
    private ScheduledFuture<?> timer;
    private long timerDueNanos;

    DeadlineHandler(SmtpSession session) {
        this.session = session;
        TimeoutsConfig t = session.settings.timeouts();
        this.commandTimeout = t.command().toNanos();
        this.dataTimeout = t.dataBlock().toNanos();
        this.commandDeadline = t.commandDeadline().toNanos();
        this.minDataRate = t.minDataRate();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lastReadNanos = System.nanoTime();
        arm(ctx, commandTimeout);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        lastReadNanos = now;
        if (turnStartNanos == 0) {
            turnStartNanos = now;
            turnBytes = 0;
            // The client's turn has begun: it is first judged once the idle limit of what it sends has passed.
            long firstCheck = now + idleLimit();
            if (timer != null && timerDueNanos > firstCheck) {
                timer.cancel(false);
                arm(ctx, firstCheck - now);
            }
        }
        if (msg instanceof ByteBuf buf) {
            turnBytes += buf.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // Our reply ends the client's turn.
        turnStartNanos = 0;
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timerDueNanos = System.nanoTime() + delayNanos;
        timer = ctx.executor().schedule(() -> check(ctx), Math.max(delayNanos, 1), TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (session.isBusy()) {
            // Our own work: the client is waiting for us, not the other way round.
            lastReadNanos = now;
            if (turnStartNanos != 0) {
                turnStartNanos = now;
                turnBytes = 0;
            }
            arm(ctx, commandTimeout);
            return;
        }
        boolean body = session.lineDecoder.inBody();
        long idleLimit = idleLimit();
        long idle = now - lastReadNanos;
        if (idle >= idleLimit) {
            expire(SmtpReplies.TIMEOUT, "idle");
            return;
        }
        long next = idleLimit - idle;
        if (turnStartNanos != 0) {
            long turn = now - turnStartNanos;
            if (!body && turn >= commandDeadline) {
                expire(SmtpReplies.TIMEOUT, "command deadline");
                return;
            }
            if (minDataRate > 0) {
                long allowed = idleLimit + earned(turnBytes);
                if (turn >= allowed) {
                    expire(SmtpReplies.TOO_SLOW, "data rate " + turnBytes + " bytes in " + turn / 1_000_000 + "ms");
                    return;
                }
                next = Math.min(next, allowed - turn);
            }
        }
        arm(ctx, next);
    }

    /** How long the client may go without a byte: longer between commands than within a message. */
    private long idleLimit() {
        return session.lineDecoder.inBody() ? dataTimeout : commandTimeout;
    }

    /** The time {@code bytes} octets earn at the minimum data rate, in nanoseconds. */
    private long earned(long bytes) {
        return (long) Math.min(Long.MAX_VALUE / 2.0, bytes * 1e9 / minDataRate);
    }

    private void expire(SmtpReply reply, String why) {
        log.info("session={} closing: {}", session.id, why);
        session.close(reply);
    }
}
