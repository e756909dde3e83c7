package dev.tern.server.management;

import dev.tern.server.config.ConfigValues;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One admin request as a route sees it: who made it (the token's name), the path's placeholders and the
 * parameters (of the query, and of a JSON or form body, see {@link AdminParameters}), with typed readers
 * that refuse a bad value naming the parameter.
 */
public record AdminRequest(String operator, Map<String, String> path, Map<String, List<String>> query) {

    public AdminRequest {
        path = Map.copyOf(path);
        query = Map.copyOf(query);
    }

    /** A malformed parameter: answered 400 with its name. */
    public static final class BadParameter extends RuntimeException {
        private final String parameter;

        public BadParameter(String parameter, String message) {
            super(message, null, false, false);
            this.parameter = parameter;
        }

        public String parameter() {
            return parameter;
        }
    }

    /** A path placeholder (always there when the route matched). */
    public String pathParameter(String name) {
        return path.get(name);
    }

    /** A query parameter given once, non-empty, or empty when absent. */
    public Optional<String> text(String name) {
        List<String> values = query.get(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() != 1) {
            throw new BadParameter(name, name + " may be given once");
        }
        String value = values.get(0).strip();
        if (value.isEmpty()) {
            throw new BadParameter(name, name + " must not be empty");
        }
        if (value.length() > 320) {
            throw new BadParameter(name, name + " is longer than 320 characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            // Kept and shown as given (a suspension's reason): an escape sequence would reach the operator's terminal.
            throw new BadParameter(name, name + " must not contain control characters (escape, line breaks, tabs)");
        }
        return Optional.of(value);
    }

    /** An integer parameter in {@code [min, max]}, or {@code otherwise} when absent. */
    public int integer(String name, int min, int max, int otherwise) {
        Optional<String> text = text(name);
        if (text.isEmpty()) {
            return otherwise;
        }
        int value;
        try {
            value = Integer.parseInt(text.get());
        } catch (NumberFormatException e) {
            throw new BadParameter(name, name + " must be a whole number");
        }
        if (value < min || value > max) {
            throw new BadParameter(name, name + " must be between " + min + " and " + max);
        }
        return value;
    }

    /** A duration as the configuration writes it ({@code 90s}, {@code 30m}, {@code 2h}, {@code 7d}), in {@code (0, max]}. */
    public Optional<Duration> duration(String name, Duration max) {
        Optional<String> text = text(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Duration value;
        try {
            value = ConfigValues.parseDuration(text.get());
        } catch (IllegalArgumentException e) {
            throw new BadParameter(name, name + ": " + e.getMessage());
        }
        if (value.isZero() || value.compareTo(max) > 0) {
            throw new BadParameter(
                    name, name + " must be more than 0s and at most " + ConfigValues.formatDuration(max));
        }
        return Optional.of(value);
    }

    /** An instant in RFC 3339 form ({@code 2030-01-01T00:00:00Z}, or with an offset), or empty when absent. */
    public Optional<Instant> instant(String name) {
        Optional<String> text = text(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text.get()).toInstant());
        } catch (DateTimeParseException e) {
            throw new BadParameter(name, name + " must be a time such as 2030-01-01T00:00:00Z");
        }
    }

    /** One of {@code type}'s constants, by its lower-case name, or null when absent. */
    public <E extends Enum<E>> E choice(String name, Class<E> type) {
        Optional<String> text = text(name);
        if (text.isEmpty()) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.get())) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList();
        throw new BadParameter(name, name + " must be one of " + String.join(", ", names));
    }
}
