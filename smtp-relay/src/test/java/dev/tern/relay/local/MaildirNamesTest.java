package dev.tern.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaildirNamesTest {

    @Test
    void escapesSlashAndColonInTheHostName() {
        MaildirNames names = new MaildirNames(
                Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 5_000), ZoneOffset.UTC), "a/b:c", 42);

        assertThat(names.next()).isEqualTo("1700000000.M5P42Q1.a\\057b\\072c");
        assertThat(names.next()).isEqualTo("1700000000.M5P42Q2.a\\057b\\072c");
    }

    @ParameterizedTest
    @CsvSource({
        // strerror text of EDQUOT: the user's quota
        "'/m/x: Disk quota exceeded', 4.2.2",
        // strerror text of ENOSPC: the file system is full
        "'/m/x: No space left on device', 4.3.1",
        // anything else
        "'/m/x: Permission denied', 4.3.0",
    })
    void mapsDiskErrorsToEnhancedStatus(String message, String status) {
        IOException e = new FileSystemException(message);
        assertThat(MaildirDelivery.diskStatus(e)).isEqualTo(status);
    }
}
