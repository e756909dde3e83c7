package dev.tern.server.smtp;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;

/**
 * The verbs that need no state of their own: RSET, NOOP, QUIT, VRFY, EXPN, HELP and unknown ones. All but QUIT
 * and unknown verbs count towards {@code limits.max-junk-commands}.
 */
final class BasicVerbs {
    private BasicVerbs() {}

    /** RFC 5321 4.1.1.5: abort the transaction, keep the greeting. RSET takes no argument. */
    static void rset(SmtpSession session, SmtpCommand command) {
        if (command.hasArgument()) {
            session.reply(SmtpReplies.SYNTAX_ERROR);
            return;
        }
        session.endTransaction();
        session.replyToJunk(SmtpReplies.RESET_OK);
    }

    static void noop(SmtpSession session, SmtpCommand command) {
        session.replyToJunk(SmtpReplies.NOOP_OK);
    }

    static void quit(SmtpSession session, SmtpCommand command) {
        session.endTransaction();
        session.close(SmtpReplies.BYE);
    }

    /** RFC 5321 3.5.3: 252, so that VRFY never tells which users exist. */
    static void vrfy(SmtpSession session, SmtpCommand command) {
        session.replyToJunk(command.hasArgument() ? SmtpReplies.CANNOT_VRFY : SmtpReplies.SYNTAX_ERROR);
    }

    /** Mailing lists are not disclosed either (RFC 5321 3.5.2). */
    static void expn(SmtpSession session, SmtpCommand command) {
        session.replyToJunk(SmtpReplies.NOT_IMPLEMENTED);
    }

    static void help(SmtpSession session, SmtpCommand command) {
        session.replyToJunk(SmtpReplies.HELP);
    }

    static void unknown(SmtpSession session, SmtpCommand command) {
        session.reply(SmtpReplies.UNRECOGNIZED_COMMAND);
    }
}
