package dev.tern.relay.queue;

import java.time.Duration;
import java.util.Locale;

/**
 * A destination's message rate, written {@code COUNT/UNIT} with unit {@code s}, {@code m} or {@code h}
 * ({@code 100/s}, {@code 600/m}). Attempts are spaced evenly: {@code 600/m} starts at most one every
 * 100 ms, so there is no burst at the start of each period.
 *
 * @param count messages per period, at least 1
 * @param per the period
 */
public record MessageRate(int count, Duration per) {

    public MessageRate {
        if (count < 1 || per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("a rate needs a positive count and period");
        }
    }

    /** Parses {@code 100/s}; the message of the exception says what is wrong. */
    public static MessageRate parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1) {
            throw new IllegalArgumentException("a rate is COUNT/UNIT (100/s, 600/m, 1000/h), got '" + text + "'");
        }
        int count;
        try {
            count = Integer.parseInt(t.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a rate's count must be a whole number, got '" + text + "'", e);
        }
        if (count < 1) {
            throw new IllegalArgumentException("a rate's count must be at least 1, got '" + text + "'");
        }
        Duration per =
                switch (t.substring(slash + 1).strip().toLowerCase(Locale.ROOT)) {
                    case "s" -> Duration.ofSeconds(1);
                    case "m" -> Duration.ofMinutes(1);
                    case "h" -> Duration.ofHours(1);
                    default -> throw new IllegalArgumentException("a rate's unit is s, m or h, got '" + text + "'");
                };
        return new MessageRate(count, per);
    }

    /** The time between two attempts, in nanoseconds. */
    long intervalNanos() {
        return Math.max(1, per.toNanos() / count);
    }

    @Override
    public String toString() {
        String unit = per.equals(Duration.ofSeconds(1)) ? "s" : per.equals(Duration.ofMinutes(1)) ? "m" : "h";
        return count + "/" + unit;
    }
}
