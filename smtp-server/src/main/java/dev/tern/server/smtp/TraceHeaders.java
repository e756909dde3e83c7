package dev.tern.server.smtp;

import dev.tern.smtp.MailDates;
import java.time.ZonedDateTime;
import java.util.concurrent.ThreadLocalRandom;

/** The header fields Tern adds to a message: the Received trace field and, on submission, Message-ID and Date. */
final class TraceHeaders {
    private TraceHeaders() {}

    /**
     * RFC 5321 4.4: {@code from} the client's HELO name and address literal, {@code by} us, {@code with}
     * the protocol named by RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA) or RFC 6531 3.7.3 (UTF8SMTP...),
     * {@code for} the recipient when there is exactly one (more would disclose the others).
     */
    static String received(SmtpSession session, String forRecipient, ZonedDateTime now) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("Received: from ")
                .append(session.heloName == null ? "unknown" : session.heloName)
                .append(" (")
                .append(addressLiteral(session))
                .append(")\r\n\tby ")
                .append(session.settings.hostname())
                .append(" (Tern) with ")
                .append(protocol(session));
        if (session.tls != null) {
            sb.append(" (").append(session.tls).append(')');
        }
        sb.append("\r\n\tid ").append(session.id).append('x').append(session.messagesAccepted + 1);
        if (forRecipient != null) {
            sb.append("\r\n\tfor <").append(forRecipient).append('>');
        }
        sb.append("; ").append(MailDates.format(now)).append("\r\n");
        return sb.toString();
    }

    static String protocol(SmtpSession session) {
        boolean utf8 = session.transaction != null && session.transaction.smtpUtf8();
        String base = utf8 ? "UTF8SMTP" : session.esmtp ? "ESMTP" : "SMTP";
        if (!session.esmtp && !utf8) {
            return base;
        }
        return base + (session.tlsActive() ? "S" : "") + (session.authenticated() ? "A" : "");
    }

    static String messageId(String hostname) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "Message-ID: <" + Long.toString(System.currentTimeMillis(), 36) + '.'
                + Long.toUnsignedString(random.nextLong(), 36) + '@' + hostname + ">\r\n";
    }

    static String date(ZonedDateTime now) {
        return "Date: " + MailDates.format(now) + "\r\n";
    }

    private static String addressLiteral(SmtpSession session) {
        var address = session.clientAddress();
        String text = address.getHostAddress();
        return address instanceof java.net.Inet6Address ? "[IPv6:" + text + "]" : "[" + text + "]";
    }
}
