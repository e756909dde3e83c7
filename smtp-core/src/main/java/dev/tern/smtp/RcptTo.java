package dev.tern.smtp;

import dev.tern.smtp.address.Mailbox;
import java.util.Objects;

/** The parsed argument of {@code RCPT TO:<forward-path> [parameters]}. */
public record RcptTo(Mailbox mailbox, RcptParameters parameters) {
    public RcptTo {
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(parameters, "parameters");
    }
}
