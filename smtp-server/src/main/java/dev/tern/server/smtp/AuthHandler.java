package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpText;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.LineError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms. While an exchange is under way
 * every line is a base64 response, never a command. Credentials are checked off the event loop; the
 * session reads nothing more until the answer is known.
 */
final class AuthHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AuthHandler.class);
    /** RFC 4954 4: the longest AUTH response line, CRLF included. */
    static final int AUTH_LINE_LENGTH = 12_288;

    static final SmtpReply LINE_TOO_LONG = new SmtpReply(500, "5.5.6", "Authentication exchange line is too long");

    private final SmtpSession session;
    /** The exchange under way, or null. */
    private SaslExchange exchange;

    AuthHandler(SmtpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null) {
            continueExchange(msg);
        } else if (msg instanceof SmtpCommand command && command.verb() == SmtpVerb.AUTH) {
            start(command);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** Whether an exchange is under way: every line is a response of it until it ends (RFC 4954 4). */
    boolean inExchange() {
        return exchange != null;
    }

    private void start(SmtpCommand command) {
        session.verb = SmtpVerb.AUTH;
        if (PipeliningSync.refuse(session, command)) {
            return;
        }
        SmtpReply refusal = refusal();
        if (refusal != null) {
            session.reply(refusal);
            return;
        }
        String[] words = command.argument().split(" ", -1);
        if (words.length > 2 || words[0].isEmpty()) {
            session.reply(SmtpReplies.SYNTAX_ERROR);
            return;
        }
        exchange = SaslExchange.start(SmtpText.asciiUpperCase(words[0]));
        if (exchange == null) {
            session.reply(SmtpReplies.UNSUPPORTED_AUTH_MECHANISM);
            return;
        }
        step(words.length == 2 ? words[1] : null);
    }

    /**
     * RFC 4954 4: no AUTH before EHLO, after success, inside a transaction, or (our policy) without TLS or
     * while this address is blocked for failing too often.
     */
    private SmtpReply refusal() {
        if (!session.esmtp) {
            return session.heloName == null ? SmtpReplies.SEND_HELO_FIRST : SmtpReplies.SEND_EHLO_FOR_EXTENSIONS;
        }
        if (session.authenticated()) {
            return SmtpReplies.ALREADY_AUTHENTICATED;
        }
        if (session.state.inTransaction()) {
            return SmtpReplies.AUTH_IN_TRANSACTION;
        }
        if (!session.tlsActive()) {
            return SmtpReplies.AUTH_NEEDS_TLS;
        }
        // Too many failures from this address lately, on this connection or others: no more guesses.
        if (session.limits.authBlocked()) {
            session.refused(Refusal.AUTH_FAILURES);
            return LimitReplies.AUTH_FAILURES;
        }
        return null;
    }

    private void continueExchange(Object msg) {
        try {
            switch (msg) {
                case SmtpCommand line -> step(line.line());
                // A line refused by the decoders ends the exchange (RFC 4954 4), answered at once.
                // A line another reader may take for BDAT is, in an exchange, refused as the line it is.
                case LineError error ->
                    fail(
                            error == LineError.TOO_LONG || error == LineError.BDAT_TOO_LONG
                                    ? LINE_TOO_LONG
                                    : error.reply());
                case SmtpReply refusal -> fail(refusal);
                default ->
                    throw new IllegalStateException(
                            "unexpected message " + msg.getClass().getName());
            }
        } finally {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    /** Feeds one client response (null: none given yet) and acts on the mechanism's next step. */
    private void step(String response) {
        SaslExchange.Step next = exchange.next(response);
        switch (next) {
            case SaslExchange.Challenge c -> {
                // RFC 4954 4: a client response may be up to 12,288 octets.
                session.lineDecoder.maxCommandLineLength(AUTH_LINE_LENGTH);
                session.reply(new SmtpReply(334, null, java.util.List.of(c.base64())));
            }
            case SaslExchange.Failed f -> fail(f.reply());
            case SaslExchange.Credentials c -> verify(c);
        }
    }

    private void fail(SmtpReply reply) {
        endExchange();
        session.reply(reply);
    }

    /** Back to commands, with the command line limit (RFC 5321 4.5.3.1.4). */
    private void endExchange() {
        exchange = null;
        session.lineDecoder.maxCommandLineLength(session.settings.maxCommandLine());
    }

    private void verify(SaslExchange.Credentials credentials) {
        endExchange();
        // Credential stuffing spreads guesses for one user over many addresses: count by name too. The
        // password is not even checked, so a right guess during the block teaches nothing. The attempt counts
        // as a failure from now until it proves otherwise, so guesses sent at once, or held open on many
        // connections and answered together, meet the limits as guesses one after the other do.
        switch (session.limits.beginAuth(credentials.username())) {
            case ADDRESS_BLOCKED -> {
                session.refused(Refusal.AUTH_FAILURES);
                session.reply(LimitReplies.AUTH_FAILURES);
                return;
            }
            case USER_BLOCKED -> {
                session.refused(Refusal.AUTH_FAILURES_USER);
                session.reply(LimitReplies.AUTH_FAILURES);
                return;
            }
            case ALLOWED -> {}
        }
        session.beginAsync();
        session.services
                .authenticator()
                .authenticate(credentials.username(), credentials.password())
                .whenCompleteAsync(
                        (ok, failure) -> verified(credentials.username(), ok, failure), session.channel.eventLoop());
    }

    private void verified(String username, Boolean ok, Throwable failure) {
        if (failure != null) {
            log.warn("session={} authentication unavailable: {}", session.id, failure.toString());
            session.limits.authNotFailed(username);
            session.reply(SmtpReplies.AUTH_TEMPORARY_FAILURE);
        } else if (ok) {
            session.limits.authNotFailed(username);
            session.authUser = username;
            log.info("session={} authenticated user={}", session.id, username);
            session.reply(SmtpReplies.AUTH_OK);
        } else {
            log.info("session={} authentication failed user={}", session.id, loggable(username));
            session.reply(SmtpReplies.AUTH_CREDENTIALS_INVALID);
        }
        session.endAsync();
    }

    /**
     * A name a client gave, fit for a {@code key=value} log line: white space, control and format characters
     * (a right-to-left override, say) become {@code ?}, and a long one is cut, so that no client can forge
     * fields or reorder what a reader of the log sees (CWE-117). A name that authenticated is one of the users
     * file's, which allows none of them.
     */
    static String loggable(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), MAX_LOGGED_NAME) + 1);
        int i = 0;
        while (i < name.length() && out.length() < MAX_LOGGED_NAME) {
            int c = name.codePointAt(i);
            int type = Character.getType(c);
            boolean hidden = Character.isWhitespace(c)
                    || SmtpText.isControlOrFormat(c)
                    || type == Character.SPACE_SEPARATOR
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.SURROGATE
                    || type == Character.UNASSIGNED;
            if (hidden) {
                out.append('?');
            } else {
                out.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        return i < name.length() ? out.append('…').toString() : out.toString();
    }

    private static final int MAX_LOGGED_NAME = 128;
}
