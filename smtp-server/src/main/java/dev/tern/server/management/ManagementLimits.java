package dev.tern.server.management;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one client of the management listener may hold, so that nobody who reaches it can take the descriptors SMTP
 * needs: at most {@link #MAX_CONNECTIONS} connections at once (past it a new one is closed unanswered), and each
 * request whole within {@link #REQUEST_SECONDS} of the connection's start or of the last answer (a client that
 * trickles its header lines, or keeps an idle connection past it, is closed). Between the aggregator, which hands on
 * whole requests, and the handler, whose answers it sees go out.
 */
final class ManagementLimits extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ManagementLimits.class);

    static final int MAX_CONNECTIONS = 64;
    static final long REQUEST_SECONDS = 10;
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The listener's connections now, and when the cap was last logged. */
    record Shared(AtomicInteger open, AtomicLong lastWarned) {
        Shared() {
            this(new AtomicInteger(), new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS));
        }
    }

    private final Shared shared;
    private ScheduledFuture<?> deadline;

    ManagementLimits(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int open = shared.open().incrementAndGet();
        if (open > MAX_CONNECTIONS) {
            long now = System.nanoTime();
            long last = shared.lastWarned().get();
            if (now - last >= WARN_EVERY_NANOS && shared.lastWarned().compareAndSet(last, now)) {
                log.warn("management: {} connections open, the most it takes; new ones are closed", MAX_CONNECTIONS);
            }
            ctx.close();
            return;
        }
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        shared.open().decrementAndGet();
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            cancel();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        if (msg instanceof HttpResponse && ctx.channel().isActive()) {
            // Answered: the next request has its own time from now.
            arm(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm(ChannelHandlerContext ctx) {
        cancel();
        deadline = ctx.executor().schedule(() -> ctx.close(), REQUEST_SECONDS, TimeUnit.SECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
