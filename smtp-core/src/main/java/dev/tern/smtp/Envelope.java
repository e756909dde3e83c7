package dev.tern.smtp;

import dev.tern.smtp.address.ReversePath;
import java.util.List;
import java.util.Objects;

/**
 * What a transaction carries besides the message: the reverse-path, the accepted recipients in
 * order, and the MAIL parameters (DSN RET/ENVID among them, RFC 3461).
 *
 * @param tlsOptional the message's header says {@code TLS-Required: No} (RFC 8689 5) and MAIL had no
 *     REQUIRETLS: its sender asks that recipient TLS policies (MTA-STS, DANE, a required level) be
 *     ignored for it, so it goes with opportunistic TLS
 */
public record Envelope(
        ReversePath reversePath, List<RcptTo> recipients, MailParameters parameters, boolean tlsOptional) {

    /** An envelope without {@code TLS-Required: No}. */
    public Envelope(ReversePath reversePath, List<RcptTo> recipients, MailParameters parameters) {
        this(reversePath, recipients, parameters, false);
    }

    public Envelope {
        Objects.requireNonNull(reversePath, "reversePath");
        Objects.requireNonNull(parameters, "parameters");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope has at least one recipient");
        }
        if (tlsOptional && parameters.requireTls()) {
            // RFC 8689 5: with REQUIRETLS the TLS-Required header field is ignored.
            throw new IllegalArgumentException("REQUIRETLS and TLS-Required: No exclude each other");
        }
    }
}
