package dev.tern.relay.queue;

import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message in the scheduling queue, with the state of each recipient. Touched only on the queue's thread.
 *
 * <p>It keeps what it was admitted with field by field, not the spool's {@link SpooledMessage} (whose list of
 * states it would keep twice): every queued message is on the heap until it is done, and a queue that holds
 * hundreds of thousands is walked whole by each of the collector's marking cycles. {@link #spooled()} builds
 * the spool's view when the content is read.
 */
final class QueuedMessage {
    private static final Logger log = LoggerFactory.getLogger(QueuedMessage.class);

    /** No report asked for yet: one stage for every message, since a completed stage never changes. */
    private static final CompletionStage<Void> NO_REPORTS = CompletableFuture.completedStage(null);

    private static final int BITS = Long.SIZE;

    final QueueId id;
    final Envelope envelope;
    private final long arrivalMillis;
    private final long segment;
    private final long contentOffset;
    private final int contentLength;
    final RecipientState[] states;
    /** The recipients below {@link #BITS} with an attempt under way, a bit each; the rest in {@link #inFlightMore}. */
    private long inFlightBits;
    /** For recipients from {@link #BITS} on; null for a message with fewer. */
    private final boolean[] inFlightMore;

    /** The operator holds it: nothing is attempted until it is released (the spool remembers it). */
    boolean held;
    /** The operator returned it: every recipient still unfinished when its attempt ends fails. */
    boolean returned;
    /** The "still trying" warning was considered: it is sent once per message at most, across restarts too. */
    boolean warned;
    /** The reports about this message asked for so far; the next one, and DONE, wait for them. */
    CompletionStage<Void> reports = NO_REPORTS;
    /** Every recipient is final: its reports and its DONE record are on their way. */
    boolean completing;
    /** Wakes the message when its next deferred recipient falls due. */
    QueueExecutor.Timer timer;

    long timerDue = Long.MAX_VALUE;

    QueuedMessage(SpooledMessage spooled) {
        this.id = spooled.id();
        this.envelope = spooled.envelope();
        this.arrivalMillis = spooled.arrivalMillis();
        this.segment = spooled.segment();
        this.contentOffset = spooled.contentOffset();
        this.contentLength = spooled.contentLength();
        this.states = spooled.states().toArray(RecipientState[]::new);
        this.inFlightMore = states.length > BITS ? new boolean[states.length - BITS] : null;
        this.held = spooled.held();
        for (RecipientState s : states) {
            warned |= s.notified().contains(RecipientState.Notice.DELAY);
        }
    }

    /**
     * Records recipient {@code i}'s state in the spool, as it is now; completes once on disk. Every change of a
     * state passes here, so here a state alike to the one before it (a hundred recipients deferred by one refused
     * connection, or parked by one suspension) becomes that one: a queued message stays on the heap until it is done,
     * and its states are most of it.
     */
    CompletionStage<Void> record(Spool spool, int i) {
        if (i > 0) {
            states[i] = RecipientState.shared(states[i], states[i - 1]);
        }
        CompletionStage<Void> recorded = spool.recordState(id, i, states[i]);
        recorded.whenComplete((v, e) -> {
            if (e != null) {
                log.warn(
                        "id={} recipient state not on disk yet, the spool writes it again once it can: {}",
                        id,
                        e.toString());
            }
        });
        return recorded;
    }

    int recipients() {
        return states.length;
    }

    long arrivalMillis() {
        return arrivalMillis;
    }

    int contentLength() {
        return contentLength;
    }

    /** The spool's view of this message as it is now: what reading its content takes. */
    SpooledMessage spooled() {
        return new SpooledMessage(
                id, arrivalMillis, envelope, List.of(states), segment, contentOffset, contentLength, held);
    }

    /** Whether recipient {@code i} has an attempt under way. */
    boolean inFlight(int i) {
        return i < BITS ? (inFlightBits & (1L << i)) != 0 : inFlightMore[i - BITS];
    }

    void inFlight(int i, boolean underWay) {
        if (i >= BITS) {
            inFlightMore[i - BITS] = underWay;
        } else if (underWay) {
            inFlightBits |= 1L << i;
        } else {
            inFlightBits &= ~(1L << i);
        }
    }

    /** The recipient's destination: its domain, the unit of grouping and of delivery slots. */
    String destination(int i) {
        return envelope.recipients().get(i).mailbox().domainKey();
    }

    boolean due(int i, long now) {
        RecipientState s = states[i];
        return !inFlight(i)
                && !s.isFinal()
                && (s.kind() == RecipientState.Kind.PENDING || s.nextAttemptMillis() <= now);
    }

    /** The earliest time after {@code now} a waiting recipient falls due, or MAX_VALUE. */
    long nextDueAfter(long now) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < states.length; i++) {
            RecipientState s = states[i];
            if (!inFlight(i) && s.kind() == RecipientState.Kind.DEFERRED && s.nextAttemptMillis() > now) {
                next = Math.min(next, s.nextAttemptMillis());
            }
        }
        return next;
    }

    /** Whether a recipient for {@code destination} waits for an attempt after {@code now}. */
    boolean deferredFor(String destination, long now) {
        for (int i = 0; i < states.length; i++) {
            if (deferredFor(i, destination, now)) {
                return true;
            }
        }
        return false;
    }

    /** Whether recipient {@code i} is for {@code destination} and waits for an attempt after {@code now}. */
    boolean deferredFor(int i, String destination, long now) {
        RecipientState s = states[i];
        return !inFlight(i)
                && s.kind() == RecipientState.Kind.DEFERRED
                && s.nextAttemptMillis() > now
                && destination(i).equals(destination);
    }

    /**
     * Makes the waiting recipients {@code which} picks due at {@code now}: deferred ones come forward to
     * {@code now} (in memory; the spool keeps the recorded time). Returns how many are due.
     */
    int makeDue(IntPredicate which, long now) {
        int due = 0;
        for (int i = 0; i < states.length; i++) {
            RecipientState s = states[i];
            if (inFlight(i) || s.isFinal() || !which.test(i)) {
                continue;
            }
            if (s.kind() == RecipientState.Kind.DEFERRED && s.nextAttemptMillis() > now) {
                states[i] = new RecipientState(s.kind(), now, s.attempts(), s.last(), s.notified());
            }
            due++;
        }
        return due;
    }

    /** How many recipients are not final yet. */
    int unfinished() {
        int n = 0;
        for (RecipientState s : states) {
            n += s.isFinal() ? 0 : 1;
        }
        return n;
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
        if (inFlightBits != 0) {
            return true;
        }
        if (inFlightMore != null) {
            for (boolean b : inFlightMore) {
                if (b) {
                    return true;
                }
            }
        }
        return false;
    }
}
