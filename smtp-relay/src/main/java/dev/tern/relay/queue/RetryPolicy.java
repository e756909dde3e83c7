package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.spool.RecipientState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What follows an attempt for one recipient, and when (RFC 5321 4.5.4.1): a pure function of the
 * outcome, the message's age and the recipient's attempts, with no clock or thread of its own, so it is
 * tested by tables.
 *
 * <p>A temporary failure is retried after {@code first}, doubling with each attempt up to {@code max},
 * spread ±10% so that messages deferred together do not come back together. The last retry falls at
 * the end of {@code lifetime}; a temporary failure at or after it is final (RFC 3463 4.4.7). After
 * {@code delayWarning} (zero: never) the sender may be told once that the message is still waiting.
 */
public record RetryPolicy(Duration first, Duration max, Duration lifetime, Duration delayWarning) {

    /** Doubling past this many attempts cannot matter: 2^30 times any useful {@code first} is over max. */
    private static final int MAX_DOUBLINGS = 30;

    public RetryPolicy {
        Objects.requireNonNull(delayWarning, "delayWarning");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0 || lifetime.isNegative()) {
            throw new IllegalArgumentException("need 0 < first <= max and lifetime >= 0");
        }
        if (delayWarning.isNegative()) {
            throw new IllegalArgumentException("delayWarning must not be negative");
        }
    }

    /**
     * The recipient's next state after an attempt.
     *
     * @param kind delivered, failed or deferred
     * @param nextAttemptMillis for deferred, when to try again (epoch millis); 0 otherwise
     * @param expired true when a temporary failure became final because the lifetime is over
     */
    public record Next(RecipientState.Kind kind, long nextAttemptMillis, boolean expired) {
        static final Next DELIVERED = new Next(RecipientState.Kind.DELIVERED, 0, false);
        static final Next FAILED = new Next(RecipientState.Kind.FAILED, 0, false);
        static final Next EXPIRED = new Next(RecipientState.Kind.FAILED, 0, true);
    }

    /**
     * @param outcome how the attempt ended
     * @param arrivalMillis when the message was accepted
     * @param nowMillis when the attempt ended
     * @param attempts the recipient's attempts, this one included (1 after the first)
     * @param jitter a number in [0, 1) that spreads the wait between 90% and 110%
     */
    public Next after(DeliveryStatus outcome, long arrivalMillis, long nowMillis, int attempts, double jitter) {
        return switch (outcome) {
            case DELIVERED -> Next.DELIVERED;
            case PERMANENT -> Next.FAILED;
            case TEMPORARY -> {
                long end = retryUntil(arrivalMillis);
                if (nowMillis >= end) {
                    yield Next.EXPIRED;
                }
                long wait = Math.max(1, (long) (backoffMillis(attempts) * (0.9 + 0.2 * jitter)));
                yield new Next(RecipientState.Kind.DEFERRED, Math.min(nowMillis + wait, end), false);
            }
        };
    }

    /** The wait after the {@code attempts}-th attempt, before jitter: first, 2·first, 4·first, … up to max. */
    long backoffMillis(int attempts) {
        int doublings = Math.min(Math.max(attempts, 1) - 1, MAX_DOUBLINGS);
        long doubled = first.toMillis() << doublings;
        return doubled < 0 ? max.toMillis() : Math.min(doubled, max.toMillis());
    }

    /** When the queue gives up on a message that arrived at {@code arrivalMillis}. */
    public long retryUntil(long arrivalMillis) {
        return arrivalMillis + lifetime.toMillis();
    }

    /** {@link #retryUntil(long)} as an instant, for the delay report's Will-Retry-Until. */
    Instant retryUntilInstant(long arrivalMillis) {
        return Instant.ofEpochMilli(retryUntil(arrivalMillis));
    }

    /** Whether the "still trying" warning is due for a message this old (RFC 3461 4.1 DELAY). */
    public boolean delayWarningDue(long arrivalMillis, long nowMillis) {
        return !delayWarning.isZero() && nowMillis - arrivalMillis >= delayWarning.toMillis();
    }
}
