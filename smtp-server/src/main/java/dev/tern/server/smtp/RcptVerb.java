package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;

/**
 * RCPT TO (RFC 5321 4.1.1.3): syntax, the recipients per transaction and per minute, then local mailbox or
 * relay permission; an alias enters the envelope as its target.
 */
final class RcptVerb implements VerbHandler {

    @Override
    public void handle(SmtpSession session, SmtpCommand command) {
        Transaction t = session.transaction;
        RecipientPolicy policy = session.services.recipientPolicy();
        // RFC 5321 4.1.1.3: a bare <postmaster> is accepted, and read as postmaster of a domain of ours.
        ParseResult<RcptTo> parsed =
                SmtpArguments.parseRcpt(command.argument(), t.smtpUtf8(), policy.postmasterDomain());
        if (parsed instanceof ParseResult.Rejected<RcptTo> r) {
            session.reply(r.reply());
            return;
        }
        RcptTo rcpt = ((ParseResult.Parsed<RcptTo>) parsed).value();
        // RFC 5321 4.5.3.1.10: past the limit, 452 asks the client to send the rest later.
        if (t.accepted >= session.settings.limits().maxRecipients()) {
            session.replyToOvershoot(t);
            return;
        }
        // Counted before the recipient policy, so that guessing addresses spends the allowance as well.
        if (!session.limits.allowRecipient(session.authenticated())) {
            session.refused(Refusal.RECIPIENT_RATE);
            session.reply(LimitReplies.RECIPIENT_RATE);
            return;
        }
        ParseResult<RcptTo> admitted = policy.admit(rcpt, session.authenticated(), session.clientAddress());
        if (admitted instanceof ParseResult.Rejected<RcptTo> r) {
            session.reply(r.reply());
            return;
        }
        RcptTo accepted = ((ParseResult.Parsed<RcptTo>) admitted).value();
        t.accepted++;
        if (!t.has(accepted.mailbox())) {
            // A recipient given twice is accepted again but kept once, as Postfix's cleanup does: the next
            // hop would otherwise get it twice in one transaction and may store two copies.
            t.recipients.add(accepted);
        }
        if (t.firstGiven == null) {
            t.firstGiven = rcpt.mailbox();
        }
        session.state = SessionState.RCPT;
        session.reply(SmtpReplies.RECIPIENT_OK);
    }
}
