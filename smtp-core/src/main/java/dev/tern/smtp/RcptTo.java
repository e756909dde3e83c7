package dev.tern.smtp;

import dev.tern.smtp.address.Mailbox;
import java.util.Objects;

/** The parsed argument of {@code RCPT TO:<forward-path> [parameters]}. */
public record RcptTo(Mailbox mailbox, RcptParameters parameters) {
    public RcptTo {
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(parameters, "parameters");
    }

    /** This recipient addressed to {@code target}; the address it had stays in ORCPT (RFC 3461 4.2). */
    public RcptTo forwardTo(Mailbox target) {
        return new RcptTo(target, parameters.withOriginalRecipient(mailbox));
    }
}
