package dev.tern.relay.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One destination as {@link DestinationAdmin#destinations()} shows it.
 *
 * @param name the destination: a recipient domain, lower case
 * @param queued messages in the queue with recipients for it that are not final yet
 * @param concurrencyLimit attempts it may have under way at once now (adaptive, within its caps)
 * @param inFlight attempts under way now
 * @param rate its configured message rate, if any
 * @param recent recipients delivered, deferred and failed over the last {@link #RECENT_WINDOW}
 * @param suspension present while it is suspended
 */
public record DestinationSnapshot(
        String name,
        int queued,
        int concurrencyLimit,
        int inFlight,
        Optional<MessageRate> rate,
        Outcomes recent,
        Optional<Suspension> suspension) {

    /** How far back {@link #recent} reaches. */
    public static final Duration RECENT_WINDOW = Duration.ofMinutes(RecentOutcomes.MINUTES);

    public DestinationSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(recent, "recent");
        Objects.requireNonNull(suspension, "suspension");
    }

    /** Whether the destination takes attempts ({@code ACTIVE}) or is {@code SUSPENDED}. */
    public enum State {
        ACTIVE,
        SUSPENDED
    }

    public State state() {
        return suspension.isPresent() ? State.SUSPENDED : State.ACTIVE;
    }

    /** Recipient outcomes counted over {@link #RECENT_WINDOW}. */
    public record Outcomes(int delivered, int deferred, int failed) {}
}
