package dev.tern.server.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing and printing of the configuration's numbers: whole numbers, and the two value syntaxes it adds to
 * YAML, sizes and durations. Every number is plain decimal, in a file as in the environment: YAML 1.1 reads
 * {@code 025} as octal and {@code 0x10} as hexadecimal, so a leading zero, {@code +}, {@code 0x}, {@code 0o},
 * {@code 0b} and {@code _} are refused rather than read one way here and another there.
 */
public final class ConfigValues {
    private static final String DECIMAL = "(0|[1-9]\\d*)";
    private static final Pattern INTEGER = Pattern.compile("-?" + DECIMAL);
    private static final Pattern SIZE = Pattern.compile(DECIMAL + "\\s*(|k|m|g|kib|mib|gib)");
    private static final Pattern DURATION = Pattern.compile(DECIMAL + "\\s*(ms|s|m|h|d)");

    private ConfigValues() {}

    /**
     * A whole number: decimal digits with an optional minus sign, {@code 0} or no leading zero.
     *
     * @throws IllegalArgumentException saying what is taken
     */
    public static int parseInteger(String text) {
        if (!INTEGER.matcher(text.strip()).matches()) {
            throw new IllegalArgumentException(
                    "must be an integer in plain decimal (no leading 0, +, 0x, 0b or _), got '" + text + "'");
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be an integer of at most 10 digits, got '" + text + "'", e);
        }
    }

    /**
     * A size in bytes: plain digits, or digits followed by {@code KiB}, {@code MiB}, {@code GiB} or their
     * one-letter forms {@code k}, {@code m}, {@code g}, all powers of 1024 and case-insensitive.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a size in plain decimal (no leading 0) such as 1048576, 512KiB, 25MiB or 1GiB, got '"
                            + text + "'");
        }
        int shift =
                switch (m.group(2)) {
                    case "k", "kib" -> 10;
                    case "m", "mib" -> 20;
                    case "g", "gib" -> 30;
                    default -> 0;
                };
        try {
            long value = Long.parseLong(m.group(1));
            if (value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'", e);
        }
    }

    /**
     * A duration: digits followed by {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}; a bare number
     * is refused because its unit would be a guess. One longer than a long's nanoseconds (about 292 years)
     * is refused too: timers count in nanoseconds, and such a value would fail every use of it.
     */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a duration in plain decimal (no leading 0) such as 500ms, 30s, 5m or 2h, got '" + text
                            + "'");
        }
        try {
            long value = Long.parseLong(m.group(1));
            Duration duration =
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(value);
                        case "s" -> Duration.ofSeconds(value);
                        case "m" -> Duration.ofMinutes(value);
                        case "h" -> Duration.ofHours(value);
                        default -> Duration.ofDays(value);
                    };
            duration.toNanos();
            return duration;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("duration too large: '" + text + "' (at most 106751d)", e);
        }
    }

    /** The shortest exact spelling of {@code bytes}: {@code 25MiB}, {@code 1500}. */
    public static String formatSize(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /** The shortest exact spelling of {@code duration} in the syntax {@link #parseDuration} reads. */
    public static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis % sizes[i] == 0) {
                return (millis / sizes[i]) + units[i];
            }
        }
        return millis + "ms";
    }
}
