package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import dev.tern.smtp.MailFrom;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;

/**
 * MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870), BODY, SMTPUTF8 (RFC 6531), RET/ENVID (RFC 3461) and
 * REQUIRETLS (RFC 8689, only inside TLS). After
 * the syntax: the size limit, who may send as whom, the messages allowed per session and per minute, and
 * the room left in the spool, in that order (permanent refusals before temporary ones).
 */
final class MailVerb implements VerbHandler {
    static final SmtpReply SIZE_EXCEEDED =
            new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    static final SmtpReply BINARYMIME_UNSUPPORTED = new SmtpReply(555, "5.5.4", "BODY=BINARYMIME is not supported");
    static final SmtpReply UTF8_NEEDS_EHLO = new SmtpReply(555, "5.5.4", "SMTPUTF8 requires EHLO");

    @Override
    public void handle(SmtpSession session, SmtpCommand command) {
        // RFC 6409 4.3 (submission): nothing is accepted before the client authenticated.
        if (session.settings.submission() && !session.authenticated()) {
            session.reply(SmtpReplies.AUTH_REQUIRED);
            return;
        }
        switch (SmtpArguments.parseMail(command.argument())) {
            case ParseResult.Rejected<MailFrom> r -> session.reply(r.reply());
            case ParseResult.Parsed<MailFrom> p -> accept(session, p.value());
        }
    }

    private static void accept(SmtpSession session, MailFrom mailFrom) {
        MailParameters parameters = mailFrom.parameters();
        // RFC 1870 6.1: refuse at once what is declared too big.
        if (parameters.size() > session.settings.limits().maxMessageSize()) {
            session.reply(SIZE_EXCEEDED);
            return;
        }
        if (parameters.body() == MailParameters.Body.BINARY_MIME) {
            session.reply(BINARYMIME_UNSUPPORTED);
            return;
        }
        if (parameters.smtpUtf8() && !session.esmtp) {
            session.reply(UTF8_NEEDS_EHLO);
            return;
        }
        if (parameters.requireTls() && !session.tlsActive()) {
            // RFC 8689 4: the option is only specified in a session that uses TLS (and is only offered there).
            session.reply(SmtpReplies.REQUIRETLS_NEEDS_TLS);
            return;
        }
        SmtpReply refusal = policyRefusal(session, mailFrom);
        if (refusal != null && refusal.code() == 421) {
            session.close(refusal);
            return;
        }
        if (refusal != null) {
            session.reply(refusal);
            return;
        }
        session.startTransaction(new Transaction(
                mailFrom,
                session.settings.limits().maxMessageSize(),
                session.services.inflightBudget(),
                // A trusted client (or one authenticated, where that exempts) is held to no share of the budget.
                session.exempt() ? null : session.clientAddress()));
        session.reply(SmtpReplies.SENDER_OK);
    }

    /** The reply of the first policy or limit that refuses this MAIL (a 421 ends the session), or null. */
    private static SmtpReply policyRefusal(SmtpSession session, MailFrom mailFrom) {
        if (session.authenticated()
                && session.settings.listener().restrictSenders()
                && !session.services.senderOwnership().owns(session.authUser, mailFrom.reversePath())) {
            session.refused(Refusal.SENDER_NOT_OWNED);
            return LimitReplies.SENDER_NOT_OWNED;
        }
        if (session.messagesAccepted >= session.settings.limits().maxMessagesPerSession() && !session.exempt()) {
            session.refused(Refusal.MESSAGES_PER_SESSION);
            return LimitReplies.MESSAGES_PER_SESSION;
        }
        if (!session.limits.allowMessage(session.authenticated())) {
            session.refused(Refusal.MESSAGE_RATE);
            return LimitReplies.MESSAGE_RATE;
        }
        // Postfix queue_minfree: below the reserve nothing is taken; above it, not what would not fit.
        long headroom = session.services.spoolSpace().headroom();
        if (headroom <= 0 || mailFrom.parameters().size() > headroom) {
            session.refused(Refusal.DISK_SPACE);
            return SmtpReplies.INSUFFICIENT_STORAGE;
        }
        // The queue lives on the heap: nearly full after a collection, nothing more is taken for now.
        if (session.services.heapRoom().full()) {
            session.refused(Refusal.MEMORY);
            return SmtpReplies.INSUFFICIENT_STORAGE;
        }
        return null;
    }
}
