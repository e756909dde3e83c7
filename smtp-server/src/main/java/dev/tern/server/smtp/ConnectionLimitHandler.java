package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a connection if the global and per-address caps allow it; otherwise answers 421 4.7.0
 * (RFC 5321 3.8) and closes before any session exists. The address counted is the session's client
 * address, which {@link ClientAddressHandler} has decided by the time the channel becomes active here
 * (behind a load balancer, the client it names, never the balancer). The slot is given back when the
 * channel closes. Being first after TLS, it also counts the octets each read brings (once per read).
 */
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

    private final SmtpSession session;
    private final ConnectionLimiter limiter;
    private final SessionMetrics metrics;
    private final String listener;
    private InetAddress admitted;

    ConnectionLimitHandler(SmtpSession session) {
        this.session = session;
        this.limiter = session.services.connectionLimiter();
        this.metrics = session.services.metrics();
        this.listener = session.settings.name();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress client = session.clientAddress();
        SmtpReply refusal =
                limiter.acquire(client, session.services.recipientPolicy().isTrusted(client));
        if (refusal != null) {
            log.info("session={} connection from {} refused: {}", session.id, client.getHostAddress(), refusal.text());
            metrics.connectionRejected(
                    refusal.equals(SmtpReplies.TOO_MANY_CONNECTIONS)
                            ? SessionMetrics.ConnectionRejection.GLOBAL
                            : SessionMetrics.ConnectionRejection.PER_IP);
            // Written from the tail so the reply encoder (and TLS, on the implicit-TLS listener) apply.
            ctx.pipeline().writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        admitted = client;
        metrics.connectionOpened(listener);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            metrics.bytesReceived(bytes.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted != null) {
            limiter.release(admitted);
            admitted = null;
            metrics.connectionClosed(listener);
            ctx.fireChannelInactive();
        }
    }
}
