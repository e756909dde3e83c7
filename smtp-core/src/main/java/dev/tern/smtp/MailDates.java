package dev.tern.smtp;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Dates as RFC 5322 3.3 writes them, e.g. {@code Sat, 1 Mar 2025 10:00:00 +0000}: the one formatter for the
 * {@code Date:} field, the {@code Received:} trace field (RFC 5321 4.4) and DSN dates (RFC 3464 2.1.5).
 * The zone is always numeric: names such as {@code GMT} or {@code UT} are the obsolete syntax (RFC 5322
 * 4.3), which a generator must not write.
 */
public final class MailDates {
    // English day and month names are part of the syntax (RFC 5322 3.3), so the locale is fixed; "xx" is the
    // offset as +hhmm, +0000 included, where "Z" or RFC_1123_DATE_TIME would give a letter or GMT.
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH);

    /** The last text made, by second and offset: every message of a second gets the same date text. */
    private record Formatted(long epochSecond, int offsetSeconds, String text) {}

    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, 0, "");

    private MailDates() {}

    /** The date and time with their own offset from UTC, as a sender's local time is written. */
    public static String format(ZonedDateTime dateTime) {
        return format(dateTime.toOffsetDateTime());
    }

    /**
     * The date and time with their own offset from UTC. The text has whole seconds and a numeric offset only,
     * so it is made once per second and offset and reused (a {@code Received:} field per message).
     */
    public static String format(OffsetDateTime dateTime) {
        long second = dateTime.toEpochSecond();
        int offset = dateTime.getOffset().getTotalSeconds();
        Formatted f = last;
        if (f.epochSecond() != second || f.offsetSeconds() != offset) {
            f = new Formatted(second, offset, FORMAT.format(dateTime));
            last = f;
        }
        return f.text();
    }

    /** An instant, in UTC ({@code +0000}). */
    public static String format(Instant instant) {
        return FORMAT.format(instant.atOffset(ZoneOffset.UTC));
    }
}
