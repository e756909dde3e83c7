package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the pipeline: decides who the client is before anything downstream starts, then lets
 * {@code channelActive} on, so that the connection limits, the deadlines and the greeting all see the
 * final address. From a load balancer allowed to send a PROXY protocol header, the header (decoded by
 * Netty's {@code HAProxyMessageDecoder} just before this handler) names the client; a header missing,
 * malformed or later than {@code timeouts.proxy-header} closes the connection without a greeting. A peer
 * that is not allowed to send one and begins with one is refused: it is trying to choose its own address.
 */
final class ClientAddressHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientAddressHandler.class);

    static final SmtpReply PROXY_HEADER_REFUSED =
            new SmtpReply(554, "5.7.0", "PROXY header not accepted, closing connection");

    private enum State {
        /** From a load balancer: nothing downstream has started; the header will name the client. */
        AWAITING_HEADER,
        /** The address is known; the first octets decide whether they are a forbidden header. */
        FIRST_BYTES,
        /** Refused: whatever still arrives is dropped unread. */
        REFUSED
    }

    private final SmtpSession session;
    private State state;
    private ScheduledFuture<?> headerTimer;
    /** The first octets while they could still be the start of a header. */
    private ByteBuf firstBytes;

    /** @param headerFirst whether the peer is a load balancer that must begin with a PROXY header */
    ClientAddressHandler(SmtpSession session, boolean headerFirst) {
        this.session = session;
        this.state = headerFirst ? State.AWAITING_HEADER : State.FIRST_BYTES;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (state != State.AWAITING_HEADER) {
            ctx.fireChannelActive();
            return;
        }
        // Held back until the header names the client.
        long millis = session.settings.timeouts().proxyHeader().toMillis();
        headerTimer = ctx.executor()
                .schedule(() -> refuse(ctx, "no PROXY header within " + millis + "ms"), millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case AWAITING_HEADER -> header(ctx, (HAProxyMessage) msg);
            case FIRST_BYTES -> firstBytes(ctx, (ByteBuf) msg);
            case REFUSED -> ReferenceCountUtil.release(msg);
        }
    }

    private void header(ChannelHandlerContext ctx, HAProxyMessage header) {
        InetSocketAddress client;
        try {
            client = ProxyHeaders.client(header, session.peer);
        } finally {
            header.release();
        }
        cancelTimer();
        session.clientAddress(client);
        // The balancer's header is not the client's: what the client itself sends first is checked too.
        state = State.FIRST_BYTES;
        ctx.fireChannelActive();
    }

    private void firstBytes(ChannelHandlerContext ctx, ByteBuf in) {
        firstBytes =
                firstBytes == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), firstBytes, in);
        switch (ProxyHeaders.startOf(firstBytes)) {
            case UNDECIDED -> {}
            case HEADER -> refuse(ctx, "PROXY header from an address not allowed to send one");
            case NOT_HEADER -> {
                ByteBuf seen = firstBytes;
                firstBytes = null;
                // Nothing more to decide: the rest of the connection passes by this handler.
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(seen);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state != State.FIRST_BYTES && cause instanceof HAProxyProtocolException) {
            // The decoder has closed the connection (proxy-protocol.txt 2: drop it, say nothing). As it
            // closes, the decoder fails again on what followed the bad header: that is refused already.
            refuse(ctx, "malformed PROXY header: " + printable(cause.getMessage()));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        if (state == State.REFUSED) {
            return;
        }
        boolean greeted = state == State.FIRST_BYTES;
        state = State.REFUSED;
        cancelTimer();
        releaseFirstBytes();
        session.services.metrics().refused(SessionMetrics.Refusal.PROXY_HEADER);
        log.info(
                "session={} peer={} closing: {}",
                session.id,
                session.peer.getAddress().getHostAddress(),
                why);
        if (greeted && !session.settings.implicitTls()) {
            session.close(PROXY_HEADER_REFUSED);
        } else {
            // Before the greeting, or before TLS is up: there is nobody to tell.
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.AWAITING_HEADER) {
            log.debug("session={} peer closed before its PROXY header", session.id);
        }
        cancelTimer();
        releaseFirstBytes();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseFirstBytes();
    }

    private void cancelTimer() {
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }

    private void releaseFirstBytes() {
        if (firstBytes != null) {
            firstBytes.release();
            firstBytes = null;
        }
    }

    /** The decoder's message may quote what the peer sent: nothing but printable ASCII goes to the log. */
    private static String printable(String text) {
        return String.valueOf(text).replaceAll("[^\\x20-\\x7e]", "?");
    }
}
