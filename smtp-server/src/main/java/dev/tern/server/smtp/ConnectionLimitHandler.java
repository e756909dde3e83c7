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
 * (RFC 5321 3.8) and closes before any session exists. The slot is given back when the channel closes.
 * Being first after TLS, it also counts the octets each read brings (once per read, not per octet).
 */
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

    private final ConnectionLimiter limiter;
    private final RecipientPolicy policy;
    private final SessionMetrics metrics;
    private final String listener;
    private InetAddress admitted;

    ConnectionLimitHandler(ConnectionLimiter limiter, RecipientPolicy policy, SessionMetrics metrics, String listener) {
        this.limiter = limiter;
        this.policy = policy;
        this.metrics = metrics;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress client = SmtpSession.remoteOf(ctx.channel()).getAddress();
        SmtpReply refusal = limiter.acquire(client, policy.isTrusted(client));
        if (refusal != null) {
            log.info("connection from {} refused: {}", client.getHostAddress(), refusal.text());
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
