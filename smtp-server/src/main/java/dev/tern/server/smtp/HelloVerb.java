package dev.tern.server.smtp;

import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import java.util.ArrayList;
import java.util.List;

/** EHLO and HELO (RFC 5321 4.1.1.1): greet, reset any transaction, and list the extensions. */
final class HelloVerb implements VerbHandler {

    @Override
    public void handle(SmtpSession session, SmtpCommand command) {
        switch (SmtpArguments.parseHelo(command.argument())) {
            case ParseResult.Rejected<String> r -> session.reply(r.reply());
            case ParseResult.Parsed<String> p -> greet(session, command.verb() == SmtpVerb.EHLO, p.value());
        }
    }

    private static void greet(SmtpSession session, boolean extended, String clientName) {
        // Only the first greeting (and the one after STARTTLS, which forgets it) brings mail nearer.
        boolean again = session.heloName != null;
        session.endTransaction();
        session.state = SessionState.READY;
        session.heloName = clientName;
        session.esmtp = extended;
        String first = session.settings.hostname() + " Hello " + clientName;
        if (!extended) {
            greeted(session, again, new SmtpReply(250, null, List.of(first)));
            return;
        }
        List<String> lines = new ArrayList<>(12);
        lines.add(first);
        lines.add("PIPELINING");
        lines.add("SIZE " + session.settings.limits().maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
        lines.add("DSN");
        if (!session.tlsActive() && session.services.sslContext() != null) {
            lines.add("STARTTLS");
        }
        // RFC 8689 4: offered only inside TLS, where a MAIL ... REQUIRETLS may be taken.
        if (session.tlsActive()) {
            lines.add("REQUIRETLS");
        }
        // RFC 4954 4 and our policy: credentials travel only inside TLS.
        if (session.tlsActive() && !session.authenticated()) {
            lines.add("AUTH PLAIN LOGIN");
        }
        lines.add("HELP");
        // RFC 2034 4: the EHLO reply carries no enhanced status code.
        greeted(session, again, new SmtpReply(250, null, lines));
    }

    private static void greeted(SmtpSession session, boolean again, SmtpReply reply) {
        if (again) {
            session.replyToJunk(reply);
        } else {
            session.reply(reply);
        }
    }
}
