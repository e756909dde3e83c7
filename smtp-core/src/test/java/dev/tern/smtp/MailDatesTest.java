package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MailDatesTest {

    @Test
    void aSecondsTextIsMadeOnceAndServesOnlyThatSecondAndOffset() {
        ZonedDateTime t = Instant.parse("2025-03-01T10:00:00.100Z").atZone(ZoneOffset.UTC);

        String first = MailDates.format(t);
        String sameSecond = MailDates.format(t.plusNanos(800_000_000));
        String nextSecond = MailDates.format(t.plusSeconds(1));
        String otherOffset = MailDates.format(t.withZoneSameInstant(ZoneId.of("Europe/Berlin")));
        String again = MailDates.format(t);

        assertThat(first).isEqualTo("Sat, 1 Mar 2025 10:00:00 +0000");
        assertThat(sameSecond).isSameAs(first);
        assertThat(nextSecond).isEqualTo("Sat, 1 Mar 2025 10:00:01 +0000");
        assertThat(otherOffset).isEqualTo("Sat, 1 Mar 2025 11:00:00 +0100");
        assertThat(again).isEqualTo(first);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # instant              | zone               | RFC 5322 3.3 date-time
            2025-03-01T10:00:00Z   | UTC                | Sat, 1 Mar 2025 10:00:00 +0000
            # GMT is a zone name of the obsolete syntax (RFC 5322 4.3): written as +0000
            2025-03-01T10:00:00Z   | GMT                | Sat, 1 Mar 2025 10:00:00 +0000
            2025-03-01T10:00:00Z   | Z                  | Sat, 1 Mar 2025 10:00:00 +0000
            # east and west of UTC, with the local time
            2025-03-01T10:00:00Z   | Europe/Berlin      | Sat, 1 Mar 2025 11:00:00 +0100
            2025-07-01T10:00:00Z   | America/New_York   | Tue, 1 Jul 2025 06:00:00 -0400
            # offsets with minutes
            2025-03-01T10:00:00Z   | Asia/Kolkata       | Sat, 1 Mar 2025 15:30:00 +0530
            # two-digit day and the day changing with the zone
            2025-12-31T23:30:00Z   | +01:00             | Thu, 1 Jan 2026 00:30:00 +0100
            2025-12-31T23:30:00Z   | UTC                | Wed, 31 Dec 2025 23:30:00 +0000
            """)
    void writesANumericZone(Instant instant, String zone, String expected) {
        ZonedDateTime local = instant.atZone(ZoneId.of(zone));

        assertThat(MailDates.format(local)).isEqualTo(expected);
        assertThat(MailDates.format(local.toOffsetDateTime())).isEqualTo(expected);
        if (expected.endsWith("+0000")) {
            assertThat(MailDates.format(instant)).isEqualTo(expected);
        }
    }
}
