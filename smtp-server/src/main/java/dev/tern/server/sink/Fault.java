package dev.tern.server.sink;

import java.util.Locale;

/** The faults {@link Sink} injects on request, each counted when it happens. */
public enum Fault {
    /** {@code 451 4.3.0} to a RCPT. */
    RCPT_TEMPFAIL,
    /** {@code 550 5.1.1} to a RCPT. */
    RCPT_REJECT,
    /** {@code 451 4.3.0} after the message's end. */
    DATA_TEMPFAIL,
    /** {@code 554 5.6.0} after the message's end. */
    DATA_REJECT,
    /** The connection closed without a reply, after MAIL or in the middle of the message. */
    DROP,
    /** The greeting replaced by a 421 and the connection closed. */
    GREETING_421;

    /** The name printed in statistics and used for the command line's flags: {@code rcpt-tempfail}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
