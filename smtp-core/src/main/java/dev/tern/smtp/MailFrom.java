package dev.tern.smtp;

import dev.tern.smtp.address.ReversePath;
import java.util.Objects;

/** The parsed argument of {@code MAIL FROM:<reverse-path> [parameters]}. */
public record MailFrom(ReversePath reversePath, MailParameters parameters) {
    public MailFrom {
        Objects.requireNonNull(reversePath, "reversePath");
        Objects.requireNonNull(parameters, "parameters");
    }
}
