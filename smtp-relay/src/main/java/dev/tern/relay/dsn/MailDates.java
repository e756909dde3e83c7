package dev.tern.relay.dsn;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Dates as RFC 5322 3.3 writes them, e.g. {@code Sat, 1 Mar 2025 10:00:00 +0000}. */
final class MailDates {
    // English names are part of the syntax (day-name, month-name), so the locale is fixed.
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern(
                    "EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private MailDates() {}

    static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
