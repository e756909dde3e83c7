package dev.tern.relay.queue;

import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.EnhancedStatus;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recipients of a suspended destination, deferred without an attempt: their attempt count and so their
 * retry backoff stay as they were, their next attempt is the suspension's end (or, for one without an
 * end, the end of the message's lifetime), and their last attempt keeps the remote reply it had. The
 * lifetime still runs: a recipient past it fails as expired ({@code 4.4.7}). When an operator ends the
 * suspension, {@link #resume} makes them due at once. States are recorded in the spool, so a restart finds them
 * deferred. Queue thread only.
 */
final class Parking {
    private static final Logger log = LoggerFactory.getLogger(Parking.class);
    /** RFC 3463 3.5: mail system congestion, the destination asked us to slow down. */
    private static final EnhancedStatus SUSPENDED = EnhancedStatus.parse("4.4.5");

    private final Spool spool;
    private final RetryPolicy retry;
    private final Completion completion;

    Parking(Spool spool, RetryPolicy retry, Completion completion) {
        this.spool = spool;
        this.retry = retry;
        this.completion = completion;
    }

    /** Defers {@code indexes} of {@code m} (all to {@code destination}) for {@code suspension}. */
    void defer(QueuedMessage m, String destination, List<Integer> indexes, Suspension suspension, long now) {
        long end = retry.retryUntil(m.arrivalMillis());
        String why = "destination " + destination + " suspended: " + suspension.reason();
        for (int i : indexes) {
            RecipientState before = m.states[i];
            if (now >= end) {
                // The lifetime is over: the recipient expires, its last real attempt still the one reported.
                m.states[i] = completion.expiredUnattempted(before, why, m.arrivalMillis(), now);
            } else {
                long until = suspension.until().map(u -> u.toEpochMilli()).orElse(end);
                LastAttempt last = before.last() != null ? before.last() : LastAttempt.local(now, SUSPENDED, why);
                m.states[i] = new RecipientState(
                        RecipientState.Kind.DEFERRED,
                        Math.max(now + 1, Math.min(until, end)),
                        before.attempts(),
                        last,
                        before.notified());
            }
            m.record(spool, i);
        }
        log.info("id={} domain={} rcpts={} deferred, {}", m.id, destination, indexes.size(), why);
    }

    /**
     * The suspension of {@code destination} was ended by hand: its deferred recipients in {@code m} are due
     * now, whatever deferred them (as Postfix's {@code postqueue -s} flushes a site).
     */
    void resume(QueuedMessage m, String destination, long now) {
        for (int i = 0; i < m.recipients(); i++) {
            if (m.deferredFor(i, destination, now)) {
                RecipientState s = m.states[i];
                m.states[i] =
                        new RecipientState(RecipientState.Kind.DEFERRED, now, s.attempts(), s.last(), s.notified());
                m.record(spool, i);
            }
        }
    }
}
