package dev.tern.smtp;

import java.util.Arrays;

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

    /** Every verb but UNKNOWN, made once: {@code values()} copies the array at each call. */
    private static final SmtpVerb[] KNOWN =
            Arrays.stream(values()).filter(verb -> verb != UNKNOWN).toArray(SmtpVerb[]::new);

    /**
     * The verb for a command word, compared case-insensitively in US-ASCII alone (RFC 5321 2.4): only
     * {@code a}-{@code z} match their capitals, so no other character (Unicode's dotless i, say, whose
     * capital is {@code I}) makes a word a verb.
     */
    public static SmtpVerb of(CharSequence word) {
        if (word.length() < 4 || word.length() > 8) {
            return UNKNOWN;
        }
        String capitals = SmtpText.asciiUpperCase(word.toString());
        for (SmtpVerb verb : KNOWN) {
            if (verb.name().equals(capitals)) {
                return verb;
            }
        }
        return UNKNOWN;
    }
}
