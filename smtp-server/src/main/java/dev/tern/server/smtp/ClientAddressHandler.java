package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the pipeline: decides who the client is before anything downstream starts, then lets
 * {@code channelActive} on, so that the connection limits, the deadlines and the greeting all see the
 * final address. A peer that is not allowed to send a PROXY protocol header and begins with one is
 * refused at once: it is trying to choose its own address.
 */
final class ClientAddressHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientAddressHandler.class);

    static final SmtpReply PROXY_HEADER_REFUSED =
            new SmtpReply(554, "5.7.0", "PROXY header not accepted, closing connection");

    private enum State {
        /** The address is known; the first octets decide whether they are a forbidden header. */
        FIRST_BYTES,
        /** Refused: whatever still arrives is dropped unread. */
        REFUSED
    }

    private final SmtpSession session;
    private State state = State.FIRST_BYTES;
    /** The first octets while they could still be the start of a header. */
    private ByteBuf firstBytes;

    ClientAddressHandler(SmtpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case FIRST_BYTES -> firstBytes(ctx, (ByteBuf) msg);
            case REFUSED -> ReferenceCountUtil.release(msg);
        }
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

    private void refuse(ChannelHandlerContext ctx, String why) {
        boolean greeted = state == State.FIRST_BYTES;
        state = State.REFUSED;
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
        releaseFirstBytes();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseFirstBytes();
    }

    private void releaseFirstBytes() {
        if (firstBytes != null) {
            firstBytes.release();
            firstBytes = null;
        }
    }
}
