package dev.tern.smtp;

import java.util.Locale;

/** The closed set of command verbs Tern understands (RFC 5321 4.1, RFC 3030, RFC 3207, RFC 4954). */
public enum SmtpVerb {
    EHLO,
    HELO,
    MAIL,
    RCPT,
    DATA,
    BDAT,
    RSET,
    NOOP,
    QUIT,
    VRFY,
    EXPN,
    HELP,
    STARTTLS,
    AUTH,
    /** Anything else: answered with 500 5.5.1. */
    UNKNOWN;

    /** The verb for a command word, compared case-insensitively in US-ASCII (RFC 5321 2.4). */
    public static SmtpVerb of(CharSequence word) {
        if (word.length() < 4 || word.length() > 8) {
            return UNKNOWN;
        }
        String upper = word.toString().toUpperCase(Locale.ROOT);
        for (SmtpVerb verb : values()) {
            if (verb != UNKNOWN && verb.name().equals(upper)) {
                return verb;
            }
        }
        return UNKNOWN;
    }
}
