package dev.tern.server.smtp;

import dev.tern.smtp.MailFrom;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;

/** MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870), BODY, SMTPUTF8 (RFC 6531), RET/ENVID (RFC 3461). */
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
        session.startTransaction(new Transaction(
                mailFrom, session.settings.limits().maxMessageSize(), session.services.inflightBudget()));
        session.reply(SmtpReplies.SENDER_OK);
    }
}
