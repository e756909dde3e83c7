package dev.tern.server.management;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one client of the management listener may hold, so that nobody who reaches it can take the descriptors SMTP
 * needs, nor the connections of the probes and scrapers from elsewhere: at most {@link #MAX_PER_ADDRESS} connections
 * from one address and {@link #MAX_CONNECTIONS} in all (past either a new one is closed unanswered), and each
 * request whole within {@link #REQUEST_SECONDS} of the connection's start or of the last answer (a client that
 * trickles its header lines, or keeps an idle connection past it, is closed). Between the aggregator, which hands on
 * whole requests, and the handler, whose answers it sees go out.
 */
final class ManagementLimits extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ManagementLimits.class);

    static final int MAX_CONNECTIONS = 256;
    static final int MAX_PER_ADDRESS = 16;
    static final long REQUEST_SECONDS = 10;
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The listener's connections now, in all and by address (only addresses with one open), and the last warning. */
    record Shared(AtomicInteger open, Map<InetAddress, Integer> byAddress, AtomicLong lastWarned) {
        Shared() {
            this(new AtomicInteger(), new ConcurrentHashMap<>(), new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS));
        }
    }

    private final Shared shared;
    private ScheduledFuture<?> deadline;
    /** The client's address, once connected. */
    private InetAddress address;

    ManagementLimits(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        address = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        int open = shared.open().incrementAndGet();
        int fromThere = address == null ? 1 : shared.byAddress().merge(address, 1, Integer::sum);
        if (open > MAX_CONNECTIONS || fromThere > MAX_PER_ADDRESS) {
            long now = System.nanoTime();
            long last = shared.lastWarned().get();
            if (now - last >= WARN_EVERY_NANOS && shared.lastWarned().compareAndSet(last, now)) {
                log.warn(
                        "management: {} connections open, {} from {}: the most it takes ({} in all, {} from one"
                                + " address); new ones are closed",
                        open - 1,
                        fromThere - 1,
                        address == null ? "?" : address.getHostAddress(),
                        MAX_CONNECTIONS,
                        MAX_PER_ADDRESS);
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
        if (address != null) {
            shared.byAddress().computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        }
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
