package dev.tern.relay.queue;

import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.queue.QueueId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which messages the queue holds, each taken in once from the spool (a new arrival, or a replayed one
 * after a restart), and which of a message's recipients are due, grouped by destination so that one
 * attempt, one SMTP transaction, carries every recipient of one domain. Changed on the queue's thread;
 * {@link #size()} and {@link #depth()} are read from any thread.
 */
final class Admission {
    /** In the order taken in, which is the order of arrival: the first is the oldest. */
    private final Map<QueueId, QueuedMessage> messages = new LinkedHashMap<>();
    /** Messages an attempt was started for since the last {@link #refreshDepth}, or still in flight then. */
    private final Set<QueuedMessage> attempted = Collections.newSetFromMap(new IdentityHashMap<>());

    private volatile int size;
    private volatile QueueDepth depth = QueueDepth.EMPTY;

    /** The message as the queue now holds it, or null when it is held already. */
    QueuedMessage admit(SpooledMessage spooled) {
        QueuedMessage m = new QueuedMessage(spooled);
        // One lookup in a table as large as the queue: a replayed message admitted twice is rare.
        if (messages.putIfAbsent(spooled.id(), m) != null) {
            return null;
        }
        size = messages.size();
        return m;
    }

    /** The queue's copy of the message with this id, or null. */
    QueuedMessage get(QueueId id) {
        return messages.get(id);
    }

    /** Every message held, in no order; a live view, to be read on the queue's thread. */
    Collection<QueuedMessage> all() {
        return Collections.unmodifiableCollection(messages.values());
    }

    /** Whether {@code m} is (still) the queue's copy of its message. */
    boolean holds(QueuedMessage m) {
        return messages.get(m.id) == m;
    }

    void remove(QueuedMessage m) {
        messages.remove(m.id, m);
        size = messages.size();
    }

    /**
     * The due recipients of {@code m} at {@code now}, by destination, destinations and recipients in envelope
     * order. A destination's recipients that still wait for their own retry go along with the due ones, as
     * Postfix retries a queue file whole: one transaction, one copy of the message on the wire and at the
     * receiver, rather than one per recipient as their retry times drift apart.
     */
    static Map<String, List<Integer>> dueByDestination(QueuedMessage m, long now) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        boolean waiting = false;
        for (int i = 0; i < m.recipients(); i++) {
            if (m.due(i, now)) {
                groups.computeIfAbsent(m.destination(i), d -> new ArrayList<>()).add(i);
            } else {
                waiting |= m.deferredFor(i, m.destination(i), now);
            }
        }
        if (waiting && !groups.isEmpty()) {
            for (int i = 0; i < m.recipients(); i++) {
                List<Integer> group = groups.get(m.destination(i));
                if (group != null && m.deferredFor(i, m.destination(i), now)) {
                    group.add(i);
                }
            }
            groups.values().forEach(java.util.Collections::sort);
        }
        return groups;
    }

    /** Messages with recipients not final yet, by their destination; a pass over the queue. */
    Map<String, Integer> queuedByDestination() {
        Map<String, Integer> out = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (QueuedMessage m : messages.values()) {
            seen.clear();
            for (int i = 0; i < m.recipients(); i++) {
                if (!m.states[i].isFinal() && seen.add(m.destination(i))) {
                    out.merge(m.destination(i), 1, Integer::sum);
                }
            }
        }
        return out;
    }

    /** Messages with a recipient for {@code destination} deferred past {@code now}, not being delivered. */
    List<QueuedMessage> deferredFor(String destination, long now) {
        List<QueuedMessage> out = new ArrayList<>();
        for (QueuedMessage m : messages.values()) {
            if (!m.completing && m.deferredFor(destination, now)) {
                out.add(m);
            }
        }
        return out;
    }

    /** Messages being delivered or waiting for their next attempt; safe from any thread. */
    int size() {
        return size;
    }

    /** An attempt is starting for some of {@code m}'s recipients (their in-flight marks are being set). */
    void attempting(QueuedMessage m) {
        attempted.add(m);
    }

    /** The depth as of the last {@link #refreshDepth}; safe from any thread. */
    QueueDepth depth() {
        return depth;
    }

    /**
     * Counts the messages in flight and those waiting for a slot, and publishes the depth as one value. It looks
     * only at the messages attempts were started for and at {@code waitingForSlots}, never at the whole queue: a
     * queue of a million deferred messages costs no more than an empty one. The oldest is the first taken in.
     */
    void refreshDepth(Collection<QueuedMessage> waitingForSlots) {
        int inFlight = 0;
        for (Iterator<QueuedMessage> it = attempted.iterator(); it.hasNext(); ) {
            QueuedMessage m = it.next();
            if (holds(m) && m.anyInFlight()) {
                inFlight++;
            } else {
                it.remove(); // its attempts ended (or it left the queue); a new attempt adds it again
            }
        }
        int waiting = 0;
        for (QueuedMessage m : waitingForSlots) {
            if (holds(m) && !m.anyInFlight()) {
                waiting++;
            }
        }
        Iterator<QueuedMessage> first = messages.values().iterator();
        long oldest = first.hasNext() ? first.next().arrivalMillis() : 0;
        depth = new QueueDepth(inFlight, messages.size() - inFlight - waiting, waiting, oldest);
    }
}
