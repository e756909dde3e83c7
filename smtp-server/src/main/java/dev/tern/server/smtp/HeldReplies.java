package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReply;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The error tarpit (Postfix's smtpd_error_sleep_time): an error reply past the soft limit is held back for
 * a while, scheduled on the channel's event loop (never a sleep), and every reply after it queues behind it
 * so that PIPELINING replies stay in order. While anything is held the session reads no more commands.
 */
final class HeldReplies {
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
            channel.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
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
            channel.writeAndFlush(replies.poll()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        channel.writeAndFlush(replies.poll(), channel.voidPromise());
        release.run();
    }
}
