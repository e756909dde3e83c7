package dev.tern.server.smtp;

import static dev.tern.server.smtp.SessionState.BDAT;
import static dev.tern.server.smtp.SessionState.CONNECTED;
import static dev.tern.server.smtp.SessionState.MAIL;
import static dev.tern.server.smtp.SessionState.RCPT;
import static dev.tern.server.smtp.SessionState.READY;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;

/**
 * The one transition check of the session (RFC 5321 4.1.4): which verbs a state admits, and the
 * reply for a verb out of order. Verbs not listed (EHLO, HELO, RSET, NOOP, QUIT, VRFY, HELP, ...) are
 * admitted in every state in which commands are read.
 */
final class CommandOrder {
    private CommandOrder() {}

    /** The reply refusing {@code verb} in {@code state}, or null when it may run. */
    static SmtpReply check(SmtpVerb verb, SessionState state) {
        return switch (verb) {
            case MAIL ->
                switch (state) {
                    case READY -> null;
                    case CONNECTED -> SmtpReplies.SEND_HELO_FIRST;
                    default -> SmtpReplies.NESTED_MAIL;
                };
            case RCPT -> state == MAIL || state == RCPT ? null : orderOfTransaction(state);
            case DATA ->
                switch (state) {
                    case RCPT -> null;
                    // RFC 5321 3.3: DATA with no accepted recipient.
                    case MAIL -> SmtpReplies.NO_VALID_RECIPIENTS;
                    case BDAT -> SmtpReplies.MIXED_DATA_BDAT;
                    default -> orderOfTransaction(state);
                };
            case BDAT ->
                switch (state) {
                    case RCPT, BDAT -> null;
                    case MAIL -> SmtpReplies.NO_VALID_RECIPIENTS;
                    default -> orderOfTransaction(state);
                };
            default -> null;
        };
    }

    private static SmtpReply orderOfTransaction(SessionState state) {
        return state == CONNECTED
                ? SmtpReplies.SEND_HELO_FIRST
                : state == BDAT ? SmtpReplies.BAD_SEQUENCE : SmtpReplies.NEED_MAIL;
    }
}
