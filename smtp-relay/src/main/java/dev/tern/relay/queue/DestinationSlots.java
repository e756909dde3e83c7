package dev.tern.relay.queue;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Delivery slots: attempts under way in all and per destination, held to the {@link DeliveryLimits},
 * and what waits for a slot, per destination in the order it came. A freed slot wakes the waiting in
 * that order; nothing polls. Used on the queue's thread only.
 *
 * @param <T> what waits (a queued message)
 */
final class DestinationSlots<T> {
    /** What else holds attempts to a destination back: its own limit below the cap, its rate. */
    interface Gate {
        /** Only the {@link DeliveryLimits}. */
        Gate NONE = new Gate() {
            @Override
            public int limit(String destination) {
                return Integer.MAX_VALUE;
            }

            @Override
            public boolean ready(String destination) {
                return true;
            }
        };

        /** The most attempts {@code destination} may have under way now. */
        int limit(String destination);

        /** Whether one more may start now; when not, the gate wakes the slots itself once it may. */
        boolean ready(String destination);
    }

    private final DeliveryLimits limits;
    private final Gate gate;
    private final Map<String, Integer> activePerDestination = new HashMap<>();
    private final Map<String, LinkedHashSet<T>> waiting = new LinkedHashMap<>();
    private final Map<T, Integer> waits = new HashMap<>();
    private int active;

    DestinationSlots(DeliveryLimits limits) {
        this(limits, Gate.NONE);
    }

    DestinationSlots(DeliveryLimits limits, Gate gate) {
        this.limits = limits;
        this.gate = gate;
    }

    /** Takes a slot for an attempt to {@code destination}; false when a limit is reached. */
    boolean tryTake(String destination) {
        if (!free(destination)) {
            return false;
        }
        active++;
        activePerDestination.merge(destination, 1, Integer::sum);
        return true;
    }

    /** Gives back the slot of an attempt that ended. */
    void release(String destination) {
        active--;
        activePerDestination.computeIfPresent(destination, (d, n) -> n == 1 ? null : n - 1);
    }

    /** {@code item} waits for a slot to {@code destination} (once, however often it asks). */
    void await(String destination, T item) {
        if (waiting.computeIfAbsent(destination, d -> new LinkedHashSet<>()).add(item)) {
            waits.merge(item, 1, Integer::sum);
        }
    }

    /**
     * Hands what waits to {@code retry}, destination by destination in the order they first filled up,
     * as long as slots are free for it. {@code retry} takes its slots itself, or waits again.
     */
    void wake(Consumer<T> retry) {
        for (String destination : List.copyOf(waiting.keySet())) {
            if (active >= limits.maxActive()) {
                return;
            }
            LinkedHashSet<T> queue = waiting.get(destination);
            while (queue != null && !queue.isEmpty() && free(destination)) {
                T next = queue.iterator().next();
                remove(destination, queue, next);
                retry.accept(next);
                queue = waiting.get(destination);
            }
        }
    }

    /** Hands everything that waits for {@code destination} to {@code retry}, free slots or not. */
    void drain(String destination, Consumer<T> retry) {
        LinkedHashSet<T> queue = waiting.remove(destination);
        if (queue == null) {
            return;
        }
        for (T item : queue) {
            waits.computeIfPresent(item, (t, n) -> n == 1 ? null : n - 1);
        }
        // Each is handed over once; whatever waits again now waits anew.
        queue.forEach(retry);
    }

    /** Everything that waits for some slot, each once; a live view, to be read on the queue's thread. */
    Set<T> waiting() {
        return Collections.unmodifiableSet(waits.keySet());
    }

    /** Attempts under way. */
    int active() {
        return active;
    }

    private boolean free(String destination) {
        int perDestination = Math.min(limits.maxActivePerDestination(), gate.limit(destination));
        return active < limits.maxActive()
                && activePerDestination.getOrDefault(destination, 0) < perDestination
                && gate.ready(destination);
    }

    private void remove(String destination, LinkedHashSet<T> queue, T item) {
        queue.remove(item);
        if (queue.isEmpty()) {
            waiting.remove(destination);
        }
        waits.computeIfPresent(item, (t, n) -> n == 1 ? null : n - 1);
    }
}
