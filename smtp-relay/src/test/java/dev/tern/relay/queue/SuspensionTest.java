package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A suspension's times are whole seconds, as an operator reads and gives them. */
class SuspensionTest {

    @Test
    void keepsWholeSecondsAndNeverEndsBeforeTheTimeAsked() {
        Suspension s = new Suspension(
                Instant.parse("2030-01-01T02:00:00.647847906Z"),
                Optional.of(Instant.parse("2030-01-01T02:30:00.000000001Z")),
                "migration",
                true);

        assertThat(s.since()).isEqualTo(Instant.parse("2030-01-01T02:00:00Z"));
        assertThat(s.until()).contains(Instant.parse("2030-01-01T02:30:01Z"));
        assertThat(new Suspension(s.since(), Optional.of(Instant.parse("2030-01-01T03:00:00Z")), "", true).until())
                .as("a whole second stays as it is")
                .contains(Instant.parse("2030-01-01T03:00:00Z"));
    }
}
