package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.EnhancedStatus;
import java.util.concurrent.ScheduledFuture;

/** A message in the scheduling queue, with the state of each recipient. Touched only by the queue's thread. */
final class QueuedMessage {
    final SpooledMessage spooled;
    final RecipientState[] states;
    final boolean[] inFlight;
    /** Destinations whose due recipients wait for a delivery slot. */
    final java.util.Set<String> blockedDomains = new java.util.HashSet<>(2);

    boolean warned;
    boolean completing;
    ScheduledFuture<?> timer;
    long timerDue = Long.MAX_VALUE;

    QueuedMessage(SpooledMessage spooled) {
        this.spooled = spooled;
        this.states = spooled.states().toArray(RecipientState[]::new);
        this.inFlight = new boolean[states.length];
    }

    int recipients() {
        return states.length;
    }

    boolean due(int i, long now) {
        RecipientState s = states[i];
        return !inFlight[i]
                && !s.isFinal()
                && (s.kind() == RecipientState.Kind.PENDING || s.nextAttemptMillis() <= now);
    }

    /** The earliest time after {@code now} a waiting recipient falls due, or MAX_VALUE. */
    long nextDueAfter(long now) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < states.length; i++) {
            RecipientState s = states[i];
            if (!inFlight[i] && s.kind() == RecipientState.Kind.DEFERRED && s.nextAttemptMillis() > now) {
                next = Math.min(next, s.nextAttemptMillis());
            }
        }
        return next;
    }

    boolean allFinal() {
        for (RecipientState s : states) {
            if (!s.isFinal()) {
                return false;
            }
        }
        return true;
    }

    boolean anyInFlight() {
        for (boolean b : inFlight) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /** The outcome a recorded state stands for: its detail is "status diagnostic" (see {@link #detail}). */
    RecipientOutcome outcomeOf(int i) {
        RecipientState s = states[i];
        String detail = s.detail() == null ? "" : s.detail();
        int space = detail.indexOf(' ');
        EnhancedStatus status;
        try {
            status = EnhancedStatus.parse(space > 0 ? detail.substring(0, space) : detail);
        } catch (IllegalArgumentException e) {
            status = new EnhancedStatus(s.kind() == RecipientState.Kind.DELIVERED ? 2 : 5, 0, 0);
        }
        DeliveryStatus kind =
                switch (s.kind()) {
                    case DELIVERED -> DeliveryStatus.DELIVERED;
                    case FAILED -> DeliveryStatus.PERMANENT;
                    default -> DeliveryStatus.TEMPORARY;
                };
        String diagnostic = space > 0 ? detail.substring(space + 1) : detail;
        return new RecipientOutcome(i, kind, status, diagnostic, null);
    }

    /** What a state records of an outcome, enough to write a DSN after a restart. */
    static String detail(RecipientOutcome outcome) {
        return outcome.enhancedStatus() + " " + outcome.diagnostic();
    }
}
