package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReply;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The error tarpit (Postfix's smtpd_error_sleep_time): an error reply past the soft limit is held back for
 * a while, scheduled on the channel's event loop (never a sleep), and every reply after it queues behind it
 * so that PIPELINING replies stay in order. While anything is held the session reads no more commands.
 */
final class HeldReplies {
    /** How long a connection's last reply may wait to be written before the connection closes regardless. */
    static final long LAST_REPLY_GRACE_SECONDS = 10;

    private final Channel channel;
    private ArrayDeque<SmtpReply> held;
    private boolean closeAfter;

    HeldReplies(Channel channel) {
        this.channel = channel;
    }

    boolean isHolding() {
        return held != null;
    }

    /** Holds {@code reply} for {@code delay}; {@code release} runs on the event loop once it is written. */
    void hold(SmtpReply reply, Duration delay, Runnable release) {
        if (held == null) {
            held = new ArrayDeque<>();
            channel.eventLoop().schedule(() -> flush(release), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        held.add(reply);
    }

    /** Writes {@code reply} now, or behind what is held. */
    void write(SmtpReply reply) {
        if (held != null) {
            held.add(reply);
        } else {
            channel.write(reply, channel.voidPromise());
        }
    }

    /** Writes {@code reply} as the last one and closes, now or once what is held has gone. */
    void writeAndClose(SmtpReply reply) {
        if (held != null) {
            held.add(reply);
            closeAfter = true;
        } else {
            closeOnceWritten(channel.writeAndFlush(reply));
        }
    }

    /**
     * Closes the connection once its last reply is written, or after {@link #LAST_REPLY_GRACE_SECONDS} when it
     * is not: a client that never reads keeps that reply unsent, and must not keep its connection (and its place
     * under the connection limits) with it.
     */
    private void closeOnceWritten(ChannelFuture written) {
        written.addListener(ChannelFutureListener.CLOSE);
        if (!written.isDone()) {
            ScheduledFuture<?> force =
                    channel.eventLoop().schedule(() -> channel.close(), LAST_REPLY_GRACE_SECONDS, TimeUnit.SECONDS);
            channel.closeFuture().addListener(closed -> force.cancel(false));
        }
    }

    private void flush(Runnable release) {
        ArrayDeque<SmtpReply> replies = held;
        held = null;
        if (!channel.isActive()) {
            return;
        }
        while (replies.size() > 1) {
            channel.write(replies.poll(), channel.voidPromise());
        }
        if (closeAfter) {
            closeOnceWritten(channel.writeAndFlush(replies.poll()));
            return;
        }
        channel.writeAndFlush(replies.poll(), channel.voidPromise());
        release.run();
    }
}
