package dev.tern.relay.dsn;

import dev.tern.smtp.Envelope;
import java.util.Objects;

/**
 * A delivery status notification ready to queue.
 *
 * @param envelope {@code MAIL FROM:<>} to the original sender (RFC 3461 6.2 and RFC 5321 4.5.5)
 * @param content the whole message, header and body, CRLF line ends, not dot-stuffed
 */
public record Dsn(Envelope envelope, byte[] content) {
    public Dsn {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(content, "content");
    }
}
