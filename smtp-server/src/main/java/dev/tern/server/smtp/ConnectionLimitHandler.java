package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import dev.tern.server.metrics.SessionMetrics.Refusal;
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
 * Admits a connection if the client's connection rate, the global and per-address caps (and, on the
 * implicit-TLS listener, its TLS handshake rate) allow it; otherwise answers 421 4.7.0 (RFC 5321 3.8) and
 * closes before any session exists. The address counted is the session's client address, which
 * {@link ClientAddressHandler} has decided by the time the channel becomes active here (behind a load
 * balancer, the client it names, never the balancer). The slot is given back when the channel closes.
 * Being first after TLS, it also counts the octets each read brings (once per read, not per octet).
 */
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

    private final SmtpSession session;
    private InetAddress admitted;

    ConnectionLimitHandler(SmtpSession session) {
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress client = session.clientAddress();
        SessionServices services = session.services;
        session.limits = services.limiter().client(client, session.trusted());
        if (!session.limits.allowConnection()) {
            session.refused(Refusal.CONNECTION_RATE);
            refuse(ctx, LimitReplies.CONNECTION_RATE);
            return;
        }
        if (session.settings.implicitTls() && !session.limits.allowTlsHandshake()) {
            // RFC 8314 3.3: nothing can be said before TLS, and a handshake is what is being refused.
            session.refused(Refusal.TLS_HANDSHAKE_RATE);
            ctx.channel().config().setAutoRead(false);
            ctx.close();
            return;
        }
        SmtpReply refusal = services.connectionLimiter().acquire(client, session.trusted());
        if (refusal != null) {
            log.info("session={} connection from {} refused: {}", session.id, client.getHostAddress(), refusal.text());
            services.metrics()
                    .connectionRejected(
                            refusal.equals(SmtpReplies.TOO_MANY_CONNECTIONS)
                                    ? SessionMetrics.ConnectionRejection.GLOBAL
                                    : SessionMetrics.ConnectionRejection.PER_IP);
            refuse(ctx, refusal);
            return;
        }
        admitted = client;
        services.metrics().connectionOpened(session.settings.name());
        ctx.fireChannelActive();
    }

    private void refuse(ChannelHandlerContext ctx, SmtpReply refusal) {
        ctx.channel().config().setAutoRead(false);
        if (session.settings.implicitTls()) {
            // RFC 8314 3.3: nothing can be said before TLS, and a handshake only to say 421 would cost the
            // refused client less than it costs Tern: closed at once, as a refused handshake is.
            ctx.close();
            return;
        }
        // Written from the tail so the reply encoder applies.
        ctx.pipeline().writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            session.services.metrics().bytesReceived(bytes.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted != null) {
            session.services.connectionLimiter().release(admitted);
            admitted = null;
            session.services.metrics().connectionClosed(session.settings.name());
            ctx.fireChannelInactive();
        }
    }
}
