package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;

/**
 * RCPT TO (RFC 5321 4.1.1.3): syntax, the recipients per transaction and per minute, then local mailbox or
 * relay permission.
 */
final class RcptVerb implements VerbHandler {

    @Override
    public void handle(SmtpSession session, SmtpCommand command) {
        Transaction t = session.transaction;
        ParseResult<RcptTo> parsed =
                SmtpArguments.parseRcpt(command.argument(), t.smtpUtf8(), session.settings.hostname());
        if (parsed instanceof ParseResult.Rejected<RcptTo> r) {
            session.reply(r.reply());
            return;
        }
        RcptTo rcpt = ((ParseResult.Parsed<RcptTo>) parsed).value();
        // RFC 5321 4.5.3.1.10: past the limit, 452 asks the client to send the rest later.
        if (t.recipients.size() >= session.settings.limits().maxRecipients()) {
            session.reply(SmtpReplies.TOO_MANY_RECIPIENTS);
            return;
        }
        // Counted before the recipient policy, so that guessing addresses spends the allowance as well.
        if (!session.limits.allowRecipient(session.authenticated())) {
            session.refused(Refusal.RECIPIENT_RATE);
            session.reply(LimitReplies.RECIPIENT_RATE);
            return;
        }
        SmtpReply refusal = session.services
                .recipientPolicy()
                .check(rcpt.mailbox(), session.authenticated(), session.clientAddress());
        if (refusal != null) {
            session.reply(refusal);
            return;
        }
        t.recipients.add(rcpt);
        session.state = SessionState.RCPT;
        session.reply(SmtpReplies.RECIPIENT_OK);
    }
}
