package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
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
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the configuration spelling, in any case. */
    @JsonCreator
    public static ListenerMode parse(String text) {
        for (ListenerMode mode : values()) {
            if (mode.key().equalsIgnoreCase(text.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("must be one of mx, submission, smtps, got '" + text + "'");
    }

    /** The mode a listener named {@code name} has unless told otherwise, or null. */
    static ListenerMode named(String name) {
        for (ListenerMode mode : values()) {
            if (mode.key().equalsIgnoreCase(name)) {
                return mode;
            }
        }
        return null;
    }
}
