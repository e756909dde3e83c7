package dev.tern.relay.queue;

import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.SpooledMessage;
import java.util.ArrayList;
import java.util.List;

/** A message in the scheduling queue, with the state of each recipient. Touched only on the queue's thread. */
final class QueuedMessage {
    final SpooledMessage spooled;
    final RecipientState[] states;
    final boolean[] inFlight;

    /** The "still trying" warning was considered: it is sent once per message at most. */
    boolean warned;
    /** Every recipient is final: its reports and its DONE record are on their way. */
    boolean completing;
    /** Wakes the message when its next deferred recipient falls due. */
    QueueExecutor.Timer timer;

    long timerDue = Long.MAX_VALUE;

    QueuedMessage(SpooledMessage spooled) {
        this.spooled = spooled;
        this.states = spooled.states().toArray(RecipientState[]::new);
        this.inFlight = new boolean[states.length];
    }

    int recipients() {
        return states.length;
    }

    long arrivalMillis() {
        return spooled.arrivalMillis();
    }

    /** The recipient's destination: its domain, the unit of grouping and of delivery slots. */
    String destination(int i) {
        return spooled.envelope().recipients().get(i).mailbox().domainKey();
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
    List<Bouncer.Recipient> reported(RecipientState.Kind kind) {
        List<Bouncer.Recipient> out = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            if (states[i].kind() == kind) {
                out.add(new Bouncer.Recipient(i, states[i].last()));
            }
        }
        return out;
    }
}
