package dev.tern.server.config;

import java.util.Locale;

/** What a listener is for; the policy each mode applies is described in ARCHITECTURE.md. */
public enum ListenerMode {
    /** Port 25: mail from anywhere to local domains; STARTTLS offered (RFC 5321). */
    MX,
    /** Port 587: AUTH required, after STARTTLS (RFC 6409). */
    SUBMISSION,
    /** Port 465: submission with TLS from the first byte (RFC 8314 section 3.3). */
    SMTPS;

    /** The configuration spelling: {@code mx}, {@code submission}, {@code smtps}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
