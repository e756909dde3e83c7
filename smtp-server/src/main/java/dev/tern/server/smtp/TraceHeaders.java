package dev.tern.server.smtp;

import dev.tern.smtp.MailDates;
import dev.tern.smtp.address.Mailbox;
import java.time.ZonedDateTime;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The header fields Tern adds to a message: the Received trace field and, on submission, Message-ID, Date and From.
 */
final class TraceHeaders {
    /** The most of a HELO name written into the comment, which is then at most twice as long, escaped. */
    static final int MAX_COMMENT_HELO = 255;

    private TraceHeaders() {}

    /**
     * RFC 5321 4.4: {@code from} the client's HELO name and address literal, {@code by} us, {@code with}
     * the protocol named by RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA) or RFC 6531 3.7.3 (UTF8SMTP...),
     * {@code for} the recipient when there is exactly one (more would disclose the others). A HELO name
     * that is not one RFC 5322 token (a dot-atom or a domain literal, see {@link #isDomainToken}) is
     * accepted by EHLO but cannot stand after {@code from}: it would open a comment, end the tokens with
     * {@code ;}, and so on. Such a name is written as {@code from unknown ([address] helo=NAME)}, escaped
     * as a comment's quoted-pairs (RFC 5322 3.2.2) and cut after {@value #MAX_COMMENT_HELO} characters.
     */
    static String received(SmtpSession session, String forRecipient, ZonedDateTime now) {
        StringBuilder sb = new StringBuilder(256);
        String helo = session.heloName;
        boolean token = helo != null && isDomainToken(helo);
        sb.append("Received: from ")
                .append(token ? helo : "unknown")
                .append(" (")
                .append(addressLiteral(session));
        if (helo != null && !token) {
            sb.append(" helo=");
            appendEscaped(sb, helo);
        }
        sb.append(")\r\n\tby ")
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

    /** {@code From: <sender>} for a message that has no From field (the address as the envelope gives it). */
    static String from(dev.tern.smtp.address.ReversePath sender) {
        return "From: " + sender.toPathString() + "\r\n";
    }

    static String date(ZonedDateTime now) {
        return "Date: " + MailDates.format(now) + "\r\n";
    }

    /**
     * Whether {@code name} is one token RFC 5322 reads where a domain belongs (3.4.1): a dot-atom, runs of
     * atext joined by single dots ({@code _} and other atext that HELO names carry in practice included; no
     * dot first, last or twice in a row), or a domain literal, {@code [} dtext {@code ]}.
     */
    static boolean isDomainToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        if (name.charAt(0) == '[') {
            if (name.length() < 2 || name.charAt(name.length() - 1) != ']') {
                return false;
            }
            for (int i = 1; i < name.length() - 1; i++) {
                char c = name.charAt(i);
                if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') {
                    return false;
                }
            }
            return true;
        }
        char previous = '.';
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' ? previous == '.' : c > 0x7f || !Mailbox.isAtext(c)) {
                return false;
            }
            previous = c;
        }
        return previous != '.';
    }

    /** {@code text}, cut after {@value #MAX_COMMENT_HELO} characters, as comment text: parentheses and backslash escaped. */
    private static void appendEscaped(StringBuilder sb, String text) {
        for (int i = 0; i < text.length() && i < MAX_COMMENT_HELO; i++) {
            char c = text.charAt(i);
            if (c == '(' || c == ')' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        if (text.length() > MAX_COMMENT_HELO) {
            sb.append("...");
        }
    }

    private static String addressLiteral(SmtpSession session) {
        var address = session.clientAddress();
        String text = address.getHostAddress();
        return address instanceof java.net.Inet6Address ? "[IPv6:" + text + "]" : "[" + text + "]";
    }
}
