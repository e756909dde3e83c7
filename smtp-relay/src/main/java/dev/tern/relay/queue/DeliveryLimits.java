package dev.tern.relay.queue;

/**
 * How many attempts may run at once: in all, and to one destination (a recipient domain), so that one
 * slow or busy destination cannot take every connection (RFC 5321 4.5.4.1 asks senders to limit
 * parallel connections to one host).
 *
 * @param maxActive attempts under way at once, over all destinations
 * @param maxActivePerDestination attempts under way at once to one destination
 */
public record DeliveryLimits(int maxActive, int maxActivePerDestination) {
    public DeliveryLimits {
        if (maxActive <= 0 || maxActivePerDestination <= 0) {
            throw new IllegalArgumentException("delivery limits must be positive");
        }
    }
}
