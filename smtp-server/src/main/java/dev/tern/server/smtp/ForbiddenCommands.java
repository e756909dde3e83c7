package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpText;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command lines that show the peer is no SMTP client: an HTTP request line, or a header line where a
 * command belongs. A web page can make a browser send an HTTP request to port 25 whose body holds SMTP
 * commands (a cross-protocol attack, as with HTML forms posted to mail servers); a lenient server would
 * answer each unknown line with 500 and run the rest. Such a session ends at its first such line, as
 * Postfix's {@code smtpd_forbidden_commands = CONNECT GET POST regexp:{{/^[^ ]+: /}}} ends it.
 */
final class ForbiddenCommands {
    private ForbiddenCommands() {}

    private static final Logger log = LoggerFactory.getLogger(ForbiddenCommands.class);

    static final SmtpReply NOT_AN_SMTP_CLIENT = new SmtpReply(554, "5.7.0", "Not an SMTP client, closing connection");

    /** RFC 9110 9.3 and RFC 5789: the methods a browser or proxy may send. */
    private static final Set<String> HTTP_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    /**
     * Ends the session when {@code command} is forbidden: replies 554 5.7.0, closes, and reads nothing
     * more (pipelined lines behind it are never executed). Returns whether it did.
     */
    static boolean refuse(SmtpSession session, SmtpCommand command) {
        if (!isForbidden(command.line())) {
            return false;
        }
        session.services.metrics().refused(SessionMetrics.Refusal.NOT_SMTP);
        log.info(
                "session={} client={} closing: an HTTP request or header line, not an SMTP command",
                session.id,
                session.clientAddress().getHostAddress());
        session.close(NOT_AN_SMTP_CLIENT);
        return true;
    }

    /**
     * An HTTP method as the first word (case-insensitive, then a space or the end of the line: RFC 9110
     * 9.1 methods are case-sensitive, but nothing in SMTP looks like one either way), or a first word
     * ending in a colon, as a header field name does (RFC 5322 2.2); no SMTP verb ends in one.
     */
    static boolean isForbidden(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        return word.endsWith(":") || HTTP_METHODS.contains(SmtpText.asciiUpperCase(word));
    }
}
