package dev.tern.smtp;

import java.util.Objects;

/**
 * One command line as received: its verb and the argument text after the verb (without the
 * separating space and without CRLF). {@code line} is the whole line, which the AUTH exchange reads
 * for its continuation lines (RFC 4954 4).
 */
public record SmtpCommand(SmtpVerb verb, String argument, String line) {

    public SmtpCommand {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(line, "line");
        if (SmtpText.hasLineBreak(line)) {
            throw new IllegalArgumentException("a command line holds no CR or LF");
        }
    }

    /** A command built from its parts, as a client sends it: {@code VERB argument}. */
    public static SmtpCommand of(SmtpVerb verb, String argument) {
        String line = argument.isEmpty() ? verb.name() : verb.name() + ' ' + argument;
        return new SmtpCommand(verb, argument, line);
    }

    public boolean hasArgument() {
        return !argument.isEmpty();
    }
}
