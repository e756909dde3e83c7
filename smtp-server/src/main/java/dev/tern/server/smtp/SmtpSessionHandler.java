package dev.tern.server.smtp;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.ChunkEnd;
import dev.tern.smtp.codec.DataContent;
import dev.tern.smtp.codec.DataEnd;
import dev.tern.smtp.codec.LineError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler: dispatches each command to its verb handler after the one ordering check, feeds
 * message content to the transaction, and owns the session's lifecycle (greeting, log line, errors).
 */
final class SmtpSessionHandler extends SimpleChannelInboundHandler<Object> {
    private static final Logger log = LoggerFactory.getLogger(SmtpSessionHandler.class);

    private final SmtpSession session;
    private final Map<SmtpVerb, VerbHandler> verbs = new EnumMap<>(SmtpVerb.class);
    private final BdatVerb bdat = new BdatVerb();

    SmtpSessionHandler(SmtpSession session) {
        this.session = session;
        VerbHandler hello = new HelloVerb();
        verbs.put(SmtpVerb.EHLO, hello);
        verbs.put(SmtpVerb.HELO, hello);
        verbs.put(SmtpVerb.MAIL, new MailVerb());
        verbs.put(SmtpVerb.RCPT, new RcptVerb());
        verbs.put(SmtpVerb.DATA, new DataVerb());
        verbs.put(SmtpVerb.RSET, BasicVerbs::rset);
        verbs.put(SmtpVerb.NOOP, BasicVerbs::noop);
        verbs.put(SmtpVerb.QUIT, BasicVerbs::quit);
        verbs.put(SmtpVerb.VRFY, BasicVerbs::vrfy);
        verbs.put(SmtpVerb.EXPN, BasicVerbs::expn);
        verbs.put(SmtpVerb.HELP, BasicVerbs::help);
        verbs.put(SmtpVerb.UNKNOWN, BasicVerbs::unknown);
        // STARTTLS and AUTH are answered by their own handlers before this one.
        verbs.put(SmtpVerb.STARTTLS, BasicVerbs::unknown);
        verbs.put(SmtpVerb.AUTH, BasicVerbs::unknown);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        session.services.registry().add(session);
        // RFC 5321 4.3.1: the greeting; on the implicit-TLS listener it is sent once TLS is up.
        ctx.writeAndFlush(new SmtpReply(220, session.settings.hostname() + " ESMTP Tern"));
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (session.isClosing()) {
            return;
        }
        switch (msg) {
            case SmtpCommand command -> dispatch(command);
            case DataContent content -> receive(content);
            case DataEnd end -> {
                DataVerb.end(session, end);
                afterTransactionStep();
            }
            case ChunkEnd ignored -> {
                bdat.end(session);
                afterTransactionStep();
            }
            case LineError error
            when error.mayBeBdat() -> {
                // Another reader may take the line for BDAT and what follows for its chunk: a BDAT without a size.
                session.verb = SmtpVerb.BDAT;
                session.close(SmtpReplies.BAD_BDAT_SYNTAX_CLOSING);
            }
            case LineError error -> {
                session.verb = SmtpVerb.UNKNOWN;
                session.reply(error.reply());
            }
            case SmtpReply reply -> {
                session.verb = SmtpVerb.UNKNOWN;
                session.reply(reply);
            }
            default ->
                throw new IllegalStateException(
                        "unexpected message " + msg.getClass().getName());
        }
    }

    private void dispatch(SmtpCommand command) {
        session.verb = command.verb();
        session.argument = command.argument();
        if (command.verb() != SmtpVerb.BDAT) {
            bdat.anotherCommand();
        }
        if (ForbiddenCommands.refuse(session, command) || PipeliningSync.refuse(session, command)) {
            return;
        }
        SmtpReply outOfOrder = CommandOrder.check(command.verb(), session.state);
        if (command.verb() == SmtpVerb.BDAT) {
            // RFC 3030 2: BDAT only where EHLO offered CHUNKING; its chunk is read all the same.
            bdat.start(
                    session,
                    command,
                    outOfOrder == null && !session.esmtp && session.state != SessionState.CONNECTED
                            ? SmtpReplies.BDAT_NEEDS_EHLO
                            : outOfOrder);
        } else if (outOfOrder != null) {
            session.reply(outOfOrder);
        } else {
            verbs.get(command.verb()).handle(session, command);
        }
        afterTransactionStep();
    }

    /**
     * At shutdown, a session that is no longer in a transaction ends here: after a command, and after a
     * message refused at its end, as well as after one taken (whose reply comes when the spool has it).
     */
    private void afterTransactionStep() {
        if (!session.isBusy()) {
            session.closeIfDrainingAndIdle();
        }
    }

    private void receive(DataContent content) {
        boolean keep = session.state == SessionState.DATA || bdat.keeping(session);
        if (keep && session.transaction != null) {
            session.transaction.append(content.content(), session.channel.alloc());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            session.inputEnded();
        }
        if (evt instanceof SslCloseCompletionEvent) {
            // RFC 8446 6.1: after its close_notify the client sends nothing more. TLS 1.2 closes both sides with it;
            // TLS 1.3 leaves ours open, so it is an end of input, as a TCP half-close: passed to the line decoder,
            // which answers what came before it and then tells this handler, as it does with a half-close.
            ChannelHandlerContext tls = ctx.pipeline().context(SslHandler.class);
            if (tls != null) {
                tls.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        }
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                log.info(
                        "session={} TLS handshake failed: {}",
                        session.id,
                        handshake.cause().toString());
                ctx.close();
                return;
            }
            SSLSession tls = ctx.pipeline().get(SslHandler.class).engine().getSession();
            session.resetForTls(tls.getProtocol() + ":" + tls.getCipherSuite());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.endTransaction();
        session.services.registry().remove(session);
        session.services.metrics().sessionEnded(session.tlsActive(), session.authenticated());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - session.startNanos);
        log.info(
                "session={} listener={} client={} helo={} tls={} user={} messages={} errors={} duration={}ms",
                session.id,
                session.settings.name(),
                session.clientAddress().getHostAddress(),
                session.heloName,
                session.tls == null ? "no" : session.tls,
                session.authUser,
                session.messagesAccepted,
                session.errors,
                millis);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            // A broken transport: the peer reset or vanished; nothing to answer.
            log.debug("session={} transport error: {}", session.id, cause.toString());
            ctx.close();
            return;
        }
        if (cause instanceof io.netty.handler.codec.DecoderException
                && cause.getCause() instanceof javax.net.ssl.SSLException tls) {
            // What the client sent is not TLS, or its TLS failed (plaintext on the implicit-TLS port, or after
            // the 220 to STARTTLS): client input, not a fault of ours; the handshake's failure is logged as such.
            log.debug("session={} TLS input refused: {}", session.id, tls.toString());
            ctx.close();
            return;
        }
        log.warn("session={} internal error", session.id, cause);
        session.close(SmtpReplies.INTERNAL_ERROR);
    }
}
