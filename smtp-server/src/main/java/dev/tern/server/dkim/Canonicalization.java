package dev.tern.server.dkim;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/**
 * The c= tag (RFC 6376 3.4, 3.5): one algorithm for the header fields and one for the body, written {@code
 * header/body}; a lone word is the header algorithm with a simple body, as RFC 6376 3.5 reads it.
 */
public record Canonicalization(Mode header, Mode body) {

    public static final Canonicalization RELAXED = new Canonicalization(Mode.RELAXED, Mode.RELAXED);

    public enum Mode {
        /** RFC 6376 3.4.1 and 3.4.3: the bytes as they are, but for empty lines at the end of the body. */
        SIMPLE,
        /** RFC 6376 3.4.2 and 3.4.4: white space and header folding made uniform. */
        RELAXED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Canonicalization {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
    }

    @JsonCreator
    public static Canonicalization parse(String text) {
        String[] parts = text.strip().toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("expected header/body such as relaxed/relaxed, got '" + text + "'");
        }
        return new Canonicalization(mode(parts[0], text), parts.length == 2 ? mode(parts[1], text) : Mode.SIMPLE);
    }

    private static Mode mode(String word, String text) {
        return switch (word) {
            case "simple" -> Mode.SIMPLE;
            case "relaxed" -> Mode.RELAXED;
            default ->
                throw new IllegalArgumentException(
                        "expected simple or relaxed for each of header/body, got '" + text + "'");
        };
    }

    /** The c= value. */
    @JsonValue
    @Override
    public String toString() {
        return header.tag() + "/" + body.tag();
    }
}
