package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.queue.QueueId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Hands every message in the queue over to one other MTA ({@code tern queue drain}): each message's
 * unfinished recipients go in one transaction with the message's own envelope (the {@link Deliverer} given
 * keeps its MAIL and RCPT parameters). A recipient the peer accepted is recorded delivered, and a message
 * all of whose recipients are final is done as after any delivery; a recipient the peer refused for good
 * stays in the queue, deferred, with the peer's answer as its last attempt (so that the queue says why it is
 * left), and one it deferred is tried again, at most {@link #MAX_TRIES} times, after
 * a pause that grows ({@link #retryDelayMillis}): a peer that is busy or limiting its clients is not
 * hammered, and a short outage (a restart of the peer) is ridden out.
 * At most {@link #CONNECTIONS} hand-overs run at once. Held messages are handed over too (the peer does
 * not know they were held). Runs on the queue's thread; {@link #progress()} may be read from any thread.
 */
public final class QueueDrain {
    /** Hand-overs at once. */
    public static final int CONNECTIONS = 4;
    /** Tries per message when the peer answers with a temporary failure. */
    public static final int MAX_TRIES = 3;
    /** The pause before the second try of a message the peer deferred; each further pause is four times longer. */
    static final long FIRST_RETRY_DELAY_MILLIS = 1_000;
    /** How long a message with an attempt still under way waits before it is looked at again. */
    private static final long BUSY_WAIT_MILLIS = 200;

    /**
     * Where a drain stands.
     *
     * @param target where messages go, as the operator named it
     * @param finished nothing more will be tried, and every message handed over has left this queue
     * @param messages messages taken in hand so far
     * @param handedOver messages whose every unfinished recipient the peer accepted
     * @param recipients recipients the peer accepted
     * @param refused recipients the peer refused for good: they stay in this queue
     * @param failed recipients still deferred by the peer (or unreachable) after every try: they stay too
     * @param left messages in this queue now
     */
    public record Progress(
            String target,
            boolean finished,
            int messages,
            int handedOver,
            int recipients,
            int refused,
            int failed,
            int left) {}

    private final DeliveryScheduler scheduler;
    private final String target;
    private final Attempts attempts;
    private final QueueExecutor queue;
    private final Deque<QueuedMessage> todo = new ArrayDeque<>();
    private final Map<QueueId, Integer> tries = new HashMap<>();
    private int running;
    /** Messages the peer deferred, waiting for their next try. */
    private int pausing;
    /** Messages handed over whose reports and DONE record are on their way. */
    private int finishing;

    private int messages;
    private int handedOver;
    private int recipients;
    private int refused;
    private int failed;
    private volatile Progress progress;

    QueueDrain(
            DeliveryScheduler scheduler,
            String target,
            java.util.function.Function<Attempts.Ended, Attempts> attempts,
            QueueExecutor queue) {
        this.scheduler = scheduler;
        this.target = Objects.requireNonNull(target, "target");
        this.attempts = attempts.apply(this::ended);
        this.queue = queue;
        this.progress = new Progress(target, false, 0, 0, 0, 0, 0, scheduler.size());
    }

    /** Where the drain stands; any thread. */
    public Progress progress() {
        Progress p = progress;
        // What is left is read now: messages finish (reports, DONE) after their hand-over ended.
        return new Progress(
                p.target(),
                p.finished(),
                p.messages(),
                p.handedOver(),
                p.recipients(),
                p.refused(),
                p.failed(),
                scheduler.size());
    }

    /** Takes in every message the queue holds and starts the first hand-overs. Queue thread only. */
    void start() {
        takeIn();
        for (int i = 0; i < CONNECTIONS; i++) {
            next();
        }
        publish();
    }

    /** Messages not taken in hand yet (new ones, e.g. reports, count too). */
    private boolean takeIn() {
        boolean any = false;
        for (QueuedMessage m : scheduler.messages()) {
            if (!m.completing && tries.putIfAbsent(m.id, 0) == null) {
                todo.add(m);
                messages++;
                any = true;
            }
        }
        return any;
    }

    /** Starts the next hand-over, skipping messages with nothing left to hand over (a loop, not recursion). */
    private void next() {
        while (true) {
            QueuedMessage m = todo.poll();
            if (m == null) {
                if (running == 0 && !takeIn()) {
                    publish();
                    return;
                }
                m = todo.poll();
                if (m == null) {
                    return;
                }
            }
            if (scheduler.message(m.id) != m || m.completing) {
                continue; // deleted or finished meanwhile
            }
            if (m.anyInFlight()) {
                // An attempt from before the drain is still under way: its outcome comes first.
                QueuedMessage waiting = m;
                running++;
                queue.schedule(
                        () -> {
                            running--;
                            todo.add(waiting);
                            next();
                        },
                        BUSY_WAIT_MILLIS);
                return;
            }
            List<Integer> indexes = new ArrayList<>();
            scheduler.attempting(m);
            for (int i = 0; i < m.recipients(); i++) {
                if (!m.states[i].isFinal()) {
                    indexes.add(i);
                    m.inFlight(i, true);
                }
            }
            if (indexes.isEmpty()) {
                continue;
            }
            running++;
            scheduler.busy(1);
            attempts.start(m, target, indexes);
            return;
        }
    }

    private void ended(
            QueuedMessage m, String destination, List<Integer> indexes, List<RecipientOutcome> outcomes, Throwable e) {
        running--;
        Map<Integer, RecipientOutcome> byIndex = new HashMap<>();
        outcomes.forEach(o -> byIndex.put(o.recipientIndex(), o));
        List<Integer> accepted = new ArrayList<>();
        List<RecipientOutcome> acceptedOutcomes = new ArrayList<>();
        boolean retry = false;
        for (int i : indexes) {
            RecipientOutcome o = byIndex.get(i);
            if (o != null && o.status() == DeliveryStatus.DELIVERED) {
                accepted.add(i);
                acceptedOutcomes.add(o);
            } else {
                // Not handed over: it stays in this queue (after the last try with the peer's answer recorded).
                m.inFlight(i, false);
                retry |= o == null || o.status() == DeliveryStatus.TEMPORARY;
            }
        }
        int tried = tries.merge(m.id, 1, Integer::sum);
        boolean again = retry && tried < MAX_TRIES;
        int left = indexes.size() - accepted.size();
        recipients += accepted.size();
        if (left == 0) {
            handedOver++;
        } else if (!again) {
            int temporary = 0;
            Map<Integer, RecipientOutcome> notTaken = new HashMap<>();
            for (int i : indexes) {
                RecipientOutcome o = byIndex.get(i);
                temporary += o == null || o.status() == DeliveryStatus.TEMPORARY ? 1 : 0;
                if (o == null && e != null) {
                    // The hand-over failed as a whole (the peer unreachable, say): that is the answer to show.
                    o = RecipientOutcome.temporary(i, "4.4.1", e.toString(), null);
                }
                if (o != null && o.status() != DeliveryStatus.DELIVERED) {
                    notTaken.put(i, o);
                }
            }
            failed += temporary;
            refused += left - temporary;
            scheduler.leftByDrain(m, notTaken);
        }
        CompletionStage<Void> gone = scheduler.handedOver(m, destination, accepted, acceptedOutcomes);
        if (!gone.toCompletableFuture().isDone()) {
            finishing++;
            // Completed on the queue's thread, as everything here runs.
            gone.thenRun(() -> {
                finishing--;
                publish();
            });
        }
        if (again) {
            pausing++;
            queue.schedule(
                    () -> {
                        pausing--;
                        todo.add(m);
                        // Its slot was given to the next message meanwhile: take one only if one is free.
                        if (running < CONNECTIONS) {
                            next();
                        }
                        publish();
                    },
                    retryDelayMillis(tried));
        }
        next();
        publish();
    }

    /** The pause after a message's {@code tried}-th try ended with a temporary failure: 1 s, then 4 s. */
    static long retryDelayMillis(int tried) {
        return FIRST_RETRY_DELAY_MILLIS << (2 * (tried - 1));
    }

    private void publish() {
        progress = new Progress(
                target,
                running == 0 && pausing == 0 && todo.isEmpty() && finishing == 0,
                messages,
                handedOver,
                recipients,
                refused,
                failed,
                scheduler.size());
    }
}
