package dev.tern.relay.queue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Why and until when a destination gets no attempts.
 *
 * @param since when it was suspended
 * @param until when it resumes by itself; empty: only when resumed by hand
 * @param reason the remote reply that caused it, or the operator's words
 * @param manual true when an operator suspended it (kept across restarts), false when a reply did
 */
public record Suspension(Instant since, Optional<Instant> until, String reason, boolean manual) {
    public Suspension {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(reason, "reason");
        // Whole seconds, as people read and give them (2030-01-01T02:00:00Z); the end is rounded up, so a
        // suspension never ends before the time asked.
        since = since.truncatedTo(ChronoUnit.SECONDS);
        until = until.map(u -> u.truncatedTo(ChronoUnit.SECONDS).equals(u)
                ? u
                : u.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1));
    }

    /** Whether it has ended at {@code now}. */
    boolean over(Instant now) {
        return until.isPresent() && !until.get().isAfter(now);
    }
}
