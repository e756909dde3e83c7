package dev.tern.relay.queue;

/**
 * How many messages the queue holds, by state, and when the oldest arrived.
 *
 * @param active an attempt is under way
 * @param deferred waiting for the next retry
 * @param held due, but waiting for a delivery slot (the {@link DeliveryLimits})
 * @param oldestArrivalMillis when the oldest message arrived (epoch millis), 0 when the queue is empty
 */
public record QueueDepth(int active, int deferred, int held, long oldestArrivalMillis) {
    public static final QueueDepth EMPTY = new QueueDepth(0, 0, 0, 0);
}
