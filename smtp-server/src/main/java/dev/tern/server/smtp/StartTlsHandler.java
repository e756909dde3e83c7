package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STARTTLS (RFC 3207). The TLS handler goes to the head of the pipeline before the 220 is written,
 * so the first byte after the 220 is already read as TLS. Plaintext the client pipelined behind
 * STARTTLS is never carried into the TLS session (CVE-2011-0411): the connection is closed.
 * The session resets itself when the handshake completes (RFC 3207 4.2).
 */
final class StartTlsHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StartTlsHandler.class);

    static final SmtpReply PIPELINED_AFTER_STARTTLS =
            new SmtpReply(421, "4.7.0", "Commands pipelined after STARTTLS, closing connection");

    private final SmtpSession session;

    StartTlsHandler(SmtpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof SmtpCommand command)
                || command.verb() != SmtpVerb.STARTTLS
                || ctx.pipeline().get(AuthHandler.class) instanceof AuthHandler auth && auth.inExchange()) {
            // Within an AUTH exchange a line reading STARTTLS is a response of it (RFC 4954 4).
            ctx.fireChannelRead(msg);
            return;
        }
        session.verb = SmtpVerb.STARTTLS;
        if (session.tlsActive()) {
            session.reply(SmtpReplies.ALREADY_TLS);
        } else if (session.services.sslContext() == null) {
            session.reply(SmtpReplies.TLS_NOT_AVAILABLE);
        } else if (command.hasArgument()) {
            session.reply(SmtpReplies.SYNTAX_ERROR);
        } else if (session.state.inTransaction()) {
            session.reply(SmtpReplies.BAD_SEQUENCE);
        } else if (session.lineDecoder.hasBufferedInput()) {
            log.warn("session={} plaintext pipelined after STARTTLS; closing", session.id);
            session.lineDecoder.discardBufferedInput();
            session.close(PIPELINED_AFTER_STARTTLS);
        } else if (!session.limits.allowTlsHandshake()) {
            session.refused(Refusal.TLS_HANDSHAKE_RATE);
            session.reply(LimitReplies.TLS_HANDSHAKE_RATE);
        } else {
            // startTls=false on purpose: the 220 must be written as plaintext, so it is written
            // before the handler is in place, and then nothing else is read as plaintext.
            ctx.writeAndFlush(SmtpReplies.READY_TO_START_TLS);
            session.answered(SmtpReplies.READY_TO_START_TLS.code());
            ServerTls.add(ctx.pipeline(), session);
        }
    }
}
