package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that sends ahead where it may not: a command already followed by more input when the session has
 * not offered PIPELINING (before EHLO, or after HELO), or when the command must end its group (RFC 2920
 * 3.1: EHLO, DATA, VRFY, EXPN, NOOP, whose outcome the client has to see first; DATA's content goes only
 * after the 354). Mail software waits where it must; spam engines and smuggling attempts often do not. Such
 * a session ends with {@code 554 5.5.0} and runs nothing of what it sent ahead, as Postfix's
 * {@code smtpd_forbid_unauth_pipelining} (on by default since 3.9) and Exim's {@code smtp_enforce_sync}
 * end it. STARTTLS has its own stricter rule ({@link StartTlsHandler}); BDAT's chunk follows it by design;
 * QUIT ends the session anyway.
 */
final class PipeliningSync {
    private static final Logger log = LoggerFactory.getLogger(PipeliningSync.class);

    static final SmtpReply OUT_OF_SYNC = new SmtpReply(554, "5.5.0", "Error: SMTP protocol synchronization");

    /** RFC 2920 3.1: the commands that can only be the last of a group. */
    private static final Set<SmtpVerb> LAST_IN_GROUP =
            EnumSet.of(SmtpVerb.EHLO, SmtpVerb.HELO, SmtpVerb.DATA, SmtpVerb.VRFY, SmtpVerb.EXPN, SmtpVerb.NOOP);

    /** Exempt: their own rule, their own octets behind them, or the end of the session. */
    private static final Set<SmtpVerb> EXEMPT = EnumSet.of(SmtpVerb.STARTTLS, SmtpVerb.BDAT, SmtpVerb.QUIT);

    private PipeliningSync() {}

    /** Ends the session when {@code command} was sent ahead where it may not be; returns whether it did. */
    static boolean refuse(SmtpSession session, SmtpCommand command) {
        if (!session.settings.limits().forbidUnauthPipelining()
                || EXEMPT.contains(command.verb())
                || !session.lineDecoder.inputFollows()) {
            return false;
        }
        // PIPELINING is offered in every EHLO reply, never after HELO.
        if (session.esmtp && !LAST_IN_GROUP.contains(command.verb())) {
            return false;
        }
        session.services.metrics().refused(SessionMetrics.Refusal.PIPELINING);
        log.info(
                "session={} client={} closing: input sent ahead of the reply to {}{}",
                session.id,
                session.clientAddress().getHostAddress(),
                command.verb(),
                session.esmtp ? "" : " without PIPELINING");
        session.close(OUT_OF_SYNC);
        return true;
    }
}
