package dev.tern.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.address.Mailbox;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
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

    @Test
    void resolveReturnsTheLowerCasedMailboxName() {
        LocalMailboxes m = new LocalMailboxes(
                Set.of("Example.NET", "example.org"),
                Set.of("Alice@example.net", "carol"),
                Map.of("Boss", "ALICE", "out", "x@remote.example"));

        assertThat(m.resolve(new Mailbox("BOSS", "example.net"))).contains("alice");
        assertThat(m.resolve(new Mailbox("alice", "EXAMPLE.net"))).contains("alice");
        assertThat(m.resolve(new Mailbox("alice", "example.com"))).isEmpty();
        assertThat(m.resolve(new Mailbox("eve", "example.net"))).isEmpty();
        assertThat(m.resolve(new Mailbox("alice", "example.org")))
                .as("listed for example.net only")
                .isEmpty();
        assertThat(m.resolve(new Mailbox("carol", "example.org")))
                .as("bare entry: every domain")
                .contains("carol");
        assertThat(m.resolve(new Mailbox("postmaster", "example.net"))).contains("postmaster");
        assertThat(m.resolve(new Mailbox("out", "example.net")))
                .as("forwarding alias")
                .isEmpty();
        assertThat(m.resolveAddress(new Mailbox("out", "example.net"))).contains(new Mailbox("x", "remote.example"));
    }
}
