package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReply;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a connection if the global and per-address caps allow it; otherwise answers 421 4.7.0
 * (RFC 5321 3.8) and closes before any session exists. The slot is given back when the channel closes.
 */
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

    private final ConnectionLimiter limiter;
    private final RecipientPolicy policy;
    private InetAddress admitted;

    ConnectionLimitHandler(ConnectionLimiter limiter, RecipientPolicy policy) {
        this.limiter = limiter;
        this.policy = policy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress client = SmtpSession.remoteOf(ctx.channel()).getAddress();
        SmtpReply refusal = limiter.acquire(client, policy.isTrusted(client));
        if (refusal != null) {
            log.info("connection from {} refused: {}", client.getHostAddress(), refusal.text());
            // Written from the tail so the reply encoder (and TLS, on the implicit-TLS listener) apply.
            ctx.pipeline().writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        admitted = client;
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted != null) {
            limiter.release(admitted);
            admitted = null;
            ctx.fireChannelInactive();
        }
    }
}
