package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.EnhancedStatus;
import java.util.List;

/**
 * Where one destination stands: its adaptive concurrency limit, attempts under way, its rate's next
 * free slot, its suspension and its recent outcomes. Changed per attempt, never per byte. Queue thread
 * only; {@link Shaping} keeps one per destination.
 */
final class DestinationState {
    /** What an attempt tells about the destination's health. */
    enum Verdict {
        /** At least one recipient was delivered: the destination takes mail. */
        SUCCESS,
        /**
         * Every recipient was deferred: a refused or lost connection, a timeout, a 4xx greeting or 421, a
         * 4xx to MAIL or to the message, or every RCPT deferred. The destination is pushing back.
         */
        PUSHBACK,
        /** Anything else (permanent refusals, a local error): says nothing about the load it takes. */
        NEUTRAL
    }

    final String name;
    /** The most attempts at once: the rule's, within the global per-destination cap. */
    final int cap;
    /** The rate, or null. */
    final MessageRate rate;

    final RecentOutcomes recent = new RecentOutcomes();

    int limit;
    int inFlight;
    /** When, in clock nanoseconds, the rate lets the next attempt start. */
    long nextStartNanos;
    /** Wakes the destination when its rate allows the next attempt; null when none is set. */
    QueueExecutor.Timer rateTimer;

    Suspension suspension;
    /** Ends a suspension with an expiry. */
    QueueExecutor.Timer resumeTimer;

    DestinationState(String name, int initial, int cap, MessageRate rate) {
        this.name = name;
        this.cap = cap;
        this.limit = Math.min(initial, cap);
        this.rate = rate;
    }

    /** The verdict of one attempt from its outcomes; a failure without outcomes (ours) is neutral. */
    static Verdict verdict(List<RecipientOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return Verdict.NEUTRAL;
        }
        boolean allTemporary = true;
        for (RecipientOutcome o : outcomes) {
            if (o.status() == DeliveryStatus.DELIVERED) {
                return Verdict.SUCCESS;
            }
            allTemporary &= o.status() == DeliveryStatus.TEMPORARY;
        }
        return allTemporary ? Verdict.PUSHBACK : Verdict.NEUTRAL;
    }

    /** RFC 3463 3.5: no answer from host. */
    private static final EnhancedStatus NO_ANSWER = EnhancedStatus.parse("4.4.1");

    /**
     * Whether no host of the destination answered in an attempt with {@code outcomes}: every recipient
     * deferred with {@code 4.4.1} and no reply (every mail exchanger tried refused the connection, was
     * unreachable or did not accept it in time).
     */
    static boolean unreachable(List<RecipientOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return false;
        }
        for (RecipientOutcome o : outcomes) {
            if (o.status() != DeliveryStatus.TEMPORARY
                    || o.remoteReply() != null
                    || !NO_ANSWER.equals(o.enhancedStatus())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adapts the limit after an attempt that ended while {@code inFlightBefore} attempts (this one
     * included) were under way: a success at the limit grows it by one, up to the cap; a pushback halves
     * it, down to 1. Returns the change (+1, 0, or minus what was taken off).
     */
    int adapt(Verdict verdict, int inFlightBefore) {
        int before = limit;
        if (verdict == Verdict.SUCCESS && inFlightBefore >= limit && limit < cap) {
            limit++;
        } else if (verdict == Verdict.PUSHBACK) {
            limit = Math.max(1, limit / 2);
        }
        return limit - before;
    }

    /** Nothing here is worth remembering: no attempt, no suspension, no rate timer, no recent outcome. */
    boolean idle(long nowMillis) {
        return inFlight == 0 && suspension == null && rateTimer == null && recent.empty(nowMillis);
    }
}
