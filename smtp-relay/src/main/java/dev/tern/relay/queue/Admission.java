package dev.tern.relay.queue;

import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.queue.QueueId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which messages the queue holds, each taken in once from the spool (a new arrival, or a replayed one
 * after a restart), and which of a message's recipients are due, grouped by destination so that one
 * attempt, one SMTP transaction, carries every recipient of one domain. Changed on the queue's thread;
 * {@link #size()} and {@link #depth()} are read from any thread.
 */
final class Admission {
    private final Map<QueueId, QueuedMessage> messages = new HashMap<>();
    private volatile int size;
    private volatile QueueDepth depth = QueueDepth.EMPTY;

    /** The message as the queue now holds it, or null when it is held already. */
    QueuedMessage admit(SpooledMessage spooled) {
        if (messages.containsKey(spooled.id())) {
            return null;
        }
        QueuedMessage m = new QueuedMessage(spooled);
        messages.put(spooled.id(), m);
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
        return messages.get(m.spooled.id()) == m;
    }

    void remove(QueuedMessage m) {
        messages.remove(m.spooled.id(), m);
        size = messages.size();
    }

    /** The due recipients of {@code m} at {@code now}, by destination, destinations in envelope order. */
    static Map<String, List<Integer>> dueByDestination(QueuedMessage m, long now) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < m.recipients(); i++) {
            if (m.due(i, now)) {
                groups.computeIfAbsent(m.destination(i), d -> new ArrayList<>()).add(i);
            }
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

    /** The depth as of the last {@link #refreshDepth}; safe from any thread. */
    QueueDepth depth() {
        return depth;
    }

    /** One pass over the messages, published as one value; {@code held} tells which wait for a slot. */
    void refreshDepth(Predicate<QueuedMessage> held) {
        int inFlight = 0;
        int waiting = 0;
        long oldest = Long.MAX_VALUE;
        for (QueuedMessage m : messages.values()) {
            if (m.anyInFlight()) {
                inFlight++;
            } else if (held.test(m)) {
                waiting++;
            }
            oldest = Math.min(oldest, m.arrivalMillis());
        }
        depth = new QueueDepth(
                inFlight, messages.size() - inFlight - waiting, waiting, oldest == Long.MAX_VALUE ? 0 : oldest);
    }
}
