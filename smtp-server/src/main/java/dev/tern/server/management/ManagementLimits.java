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
 * What the clients of the management listener may hold, so that nobody who reaches it can take the descriptors SMTP
 * needs, nor keep the probes and scrapers out: at most {@link #MAX_PER_ADDRESS} connections from one address and
 * {@link #MAX_CONNECTIONS} in all, and each request whole within {@link #REQUEST_SECONDS} of the connection's start or
 * of the last answer (a client that trickles its header lines, or keeps an idle connection past it, is closed). A new
 * connection past either bound takes the place of the one that has waited longest for its next request, from that
 * address, or from the address that holds the most connections; one whose request is being answered is never closed for it, and a new connection that finds
 * every other busy is closed unanswered. So connections held open from many addresses delay a probe by nothing.
 * Between the aggregator, which hands on whole requests, and the handler, whose answers it sees go out.
 */
final class ManagementLimits extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ManagementLimits.class);

    static final int MAX_CONNECTIONS = 256;
    static final int MAX_PER_ADDRESS = 16;
    static final long REQUEST_SECONDS = 10;
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * The listener's connections now, in all and by address (only addresses with one open), those waiting for a
     * request and since when, and the last warning.
     */
    record Shared(
            AtomicInteger open,
            Map<InetAddress, Integer> byAddress,
            Map<ChannelHandlerContext, Waiting> waiting,
            AtomicLong lastWarned) {
        Shared() {
            this(
                    new AtomicInteger(),
                    new ConcurrentHashMap<>(),
                    new ConcurrentHashMap<>(),
                    new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS));
        }

        /**
         * Takes out the connection from {@code from} that has waited longest; with {@code from} null, the one that
         * has waited longest of the address that holds the most connections (of any, when all of those are being
         * answered), so that a flood of new connections from a few addresses closes its own, not a probe's from
         * elsewhere.
         */
        ChannelHandlerContext takeLongestWaiting(InetAddress from) {
            while (true) {
                InetAddress busiest = from != null ? from : busiestAddress();
                Map.Entry<ChannelHandlerContext, Waiting> longest = longestWaiting(busiest);
                if (longest == null && from == null) {
                    longest = longestWaiting(null);
                }
                if (longest == null) {
                    return null;
                }
                if (waiting.remove(longest.getKey(), longest.getValue())) {
                    return longest.getKey();
                }
            }
        }

        private InetAddress busiestAddress() {
            InetAddress busiest = null;
            int most = 0;
            for (Map.Entry<InetAddress, Integer> e : byAddress.entrySet()) {
                if (e.getValue() > most) {
                    most = e.getValue();
                    busiest = e.getKey();
                }
            }
            return busiest;
        }

        /** The connection that has waited longest, from {@code address} (from any when null). */
        private Map.Entry<ChannelHandlerContext, Waiting> longestWaiting(InetAddress address) {
            Map.Entry<ChannelHandlerContext, Waiting> longest = null;
            for (Map.Entry<ChannelHandlerContext, Waiting> e : waiting.entrySet()) {
                if ((address == null || address.equals(e.getValue().address()))
                        && (longest == null
                                || e.getValue().since() - longest.getValue().since() < 0)) {
                    longest = e;
                }
            }
            return longest;
        }
    }

    /** A connection waiting for its next request, from {@code address}, since {@code since} ({@link System#nanoTime}). */
    record Waiting(InetAddress address, long since) {}

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
        boolean overAddress = fromThere > MAX_PER_ADDRESS;
        if (open > MAX_CONNECTIONS || overAddress) {
            ChannelHandlerContext longest = shared.takeLongestWaiting(overAddress ? address : null);
            long now = System.nanoTime();
            long last = shared.lastWarned().get();
            if (now - last >= WARN_EVERY_NANOS && shared.lastWarned().compareAndSet(last, now)) {
                log.warn(
                        "management: {} connections open, {} from {}: the most it takes ({} in all, {} from one"
                                + " address); {}",
                        open - 1,
                        fromThere - 1,
                        address == null ? "?" : address.getHostAddress(),
                        MAX_CONNECTIONS,
                        MAX_PER_ADDRESS,
                        longest == null
                                ? "every one is being answered, the new one is closed"
                                : "the one that has waited longest for a request is closed for the new one");
            }
            if (longest == null) {
                ctx.close();
                return;
            }
            longest.close();
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
        cancel(ctx);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            cancel(ctx);
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
        cancel(ctx);
    }

    private void arm(ChannelHandlerContext ctx) {
        cancel(ctx);
        deadline = ctx.executor().schedule(() -> ctx.close(), REQUEST_SECONDS, TimeUnit.SECONDS);
        shared.waiting().put(ctx, new Waiting(address, System.nanoTime()));
    }

    private void cancel(ChannelHandlerContext ctx) {
        shared.waiting().remove(ctx);
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
