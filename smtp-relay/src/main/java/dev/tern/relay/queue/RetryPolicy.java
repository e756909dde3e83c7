package dev.tern.relay.queue;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try a deferred recipient again (RFC 5321 4.5.4.1): the wait grows with the message's age,
 * clamped between {@code first} and {@code max} — so it roughly doubles from one attempt to the next —
 * with ±10% jitter so that messages deferred together do not come back together. After {@code lifetime}
 * the queue gives up.
 */
public record RetryPolicy(Duration first, Duration max, Duration lifetime, Duration delayWarning) {

    public RetryPolicy {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0 || lifetime.isNegative()) {
            throw new IllegalArgumentException("need 0 < first <= max and lifetime >= 0");
        }
    }

    /** The wait before the next attempt of a message that has been queued for {@code age}. */
    long nextDelayMillis(long ageMillis, RandomGenerator random) {
        long base = Math.min(Math.max(ageMillis, first.toMillis()), max.toMillis());
        double jitter = 0.9 + 0.2 * random.nextDouble();
        return Math.max(1, (long) (base * jitter));
    }

    boolean expired(long ageMillis) {
        return ageMillis >= lifetime.toMillis();
    }

    boolean warnDelay(long ageMillis) {
        return !delayWarning.isZero() && ageMillis >= delayWarning.toMillis();
    }
}
