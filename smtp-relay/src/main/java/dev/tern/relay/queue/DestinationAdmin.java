package dev.tern.relay.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What an operator sees of and does to destinations (the admin API's {@code /admin/destinations} and
 * {@code tern destination list|suspend|resume} build on it). A destination is a recipient domain, lower
 * case. Every operation runs on the queue's thread; its stage completes there (or, for what is written
 * to disk, once it is written), never on the caller's thread, and never blocks the caller. Bad input
 * (an empty or malformed destination name, a non-positive expiry) fails the stage with an {@link
 * IllegalArgumentException} whose message can be shown to the operator.
 */
public interface DestinationAdmin {

    /**
     * Every destination the queue knows now: those with queued mail, attempts under way, recent outcomes
     * or a suspension, sorted by name.
     */
    CompletionStage<List<DestinationSnapshot>> destinations();

    /**
     * One destination as {@link #destinations()} shows it; empty when the queue knows nothing of it (no
     * queued mail, attempt, recent outcome or suspension).
     */
    CompletionStage<Optional<DestinationSnapshot>> destination(String destination);

    /**
     * Suspends {@code destination} by hand: nothing is attempted to it until {@link #resume} or, when
     * {@code expiry} is given, until that much time has passed. Its queued mail is deferred without an
     * attempt being counted. A manual suspension replaces any earlier one and survives a restart; the stage
     * completes once it is on disk, with the suspension as recorded (it fails when the file cannot be
     * written; the suspension is in force anyway, until a restart).
     */
    CompletionStage<Suspension> suspend(String destination, Optional<Duration> expiry, String reason);

    /**
     * As {@link #suspend}, ending at {@code until}; fails with an {@link IllegalArgumentException} when that
     * is not later than now on the queue's clock.
     */
    CompletionStage<Suspension> suspendUntil(String destination, Instant until, String reason);

    /**
     * Ends a suspension of {@code destination}, manual or automatic; every deferred recipient for it is
     * then due at once, whatever deferred it (a flush, as Postfix's {@code postqueue -s}). Completes with
     * true when it was suspended, false when it was not (nothing changes then).
     */
    CompletionStage<Boolean> resume(String destination);

    /**
     * {@code destination} as the queue names it: stripped, in lower case.
     *
     * @throws IllegalArgumentException when no recipient domain can have that name; its message says why
     */
    static String name(String destination) {
        return Destinations.name(destination);
    }
}
