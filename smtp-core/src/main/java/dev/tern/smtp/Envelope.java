package dev.tern.smtp;

import dev.tern.smtp.address.ReversePath;
import java.util.List;
import java.util.Objects;

/**
 * What a transaction carries besides the message: the reverse-path, the accepted recipients in
 * order, and the MAIL parameters (DSN RET/ENVID among them, RFC 3461).
 */
public record Envelope(ReversePath reversePath, List<RcptTo> recipients, MailParameters parameters) {
    public Envelope {
        Objects.requireNonNull(reversePath, "reversePath");
        Objects.requireNonNull(parameters, "parameters");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope has at least one recipient");
        }
    }
}
