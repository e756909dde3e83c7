package dev.tern.server.smtp;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.codec.DataEnd;

/**
 * DATA (RFC 5321 4.1.1.4): 354, then the line decoder reads the body in its strict DATA mode
 * (dot-unstuffing, CRLF.CRLF only) until {@link DataEnd}.
 */
final class DataVerb implements VerbHandler {

    @Override
    public void handle(SmtpSession session, SmtpCommand command) {
        if (command.hasArgument()) {
            session.reply(SmtpReplies.SYNTAX_ERROR);
            return;
        }
        session.state = SessionState.DATA;
        session.reply(SmtpReplies.START_MAIL_INPUT);
        session.lineDecoder.startData();
    }

    /** The end-of-data indication arrived: the message is complete. */
    static void end(SmtpSession session, DataEnd end) {
        SmtpReply refusal = null;
        // Never let bare CR or LF through: the next hop might read them as line ends (SMTP smuggling).
        if (end.bareLineEnding()) {
            refusal = SmtpReplies.BODY_BARE_LINE_ENDING;
        } else if (end.lineTooLong()) {
            refusal = session.settings.bodyLineTooLong();
        }
        MessageAcceptor.finish(session, refusal);
    }
}
