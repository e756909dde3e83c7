package dev.tern.relay.queue;

import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.SpooledMessage;
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

    /** What a report says of every recipient in state {@code kind}, as recorded. */
    java.util.List<Bouncer.Recipient> reported(RecipientState.Kind kind) {
        java.util.List<Bouncer.Recipient> out = new java.util.ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            if (states[i].kind() == kind) {
                out.add(new Bouncer.Recipient(i, states[i].last()));
            }
        }
        return out;
    }
}
