package dev.tern.server.dkim;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One signing key as the configuration names it, on one line: {@code SELECTOR:ALGORITHM:KEY-FILE}, for
 * example {@code 2026a:ed25519-sha256:/etc/tern/dkim/example.com.2026a.pem}. The file is read by {@link
 * DkimKey#load}.
 */
public record DkimKeySpec(String selector, DkimAlgorithm algorithm, Path keyFile) {
    /** RFC 6376 3.1: a selector is a sub-domain, dot-separated labels of letters, digits and hyphens. */
    private static final Pattern SELECTOR =
            Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    public DkimKeySpec {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(keyFile, "keyFile");
        if (!SELECTOR.matcher(selector).matches()) {
            throw new IllegalArgumentException(
                    "selector '" + selector + "' is not a DNS name (letters, digits, hyphens, dots)");
        }
    }

    /** Parses {@code SELECTOR:ALGORITHM:KEY-FILE}; the message of the exception says what is wrong. */
    @JsonCreator
    public static DkimKeySpec parse(String text) {
        String[] parts = text.strip().split(":", 3);
        if (parts.length != 3 || parts[2].isBlank()) {
            throw new IllegalArgumentException(
                    "expected SELECTOR:ALGORITHM:KEY-FILE such as 2026a:ed25519-sha256:/etc/tern/dkim.pem, got '" + text
                            + "'");
        }
        return new DkimKeySpec(
                parts[0].strip().toLowerCase(Locale.ROOT), DkimAlgorithm.parse(parts[1]), Path.of(parts[2].strip()));
    }

    @JsonValue
    @Override
    public String toString() {
        return selector + ":" + algorithm.tag() + ":" + keyFile;
    }
}
