package dev.tern.server.config;

import dev.tern.relay.queue.DestinationRule;
import dev.tern.relay.queue.ReplyPattern;
import dev.tern.relay.queue.ShapingPolicy;
import java.time.Duration;
import java.util.List;

/**
 * Traffic shaping per destination (docs/shaping.md): {@code delivery.shaping}.
 *
 * @param initialConcurrency attempts at once a destination starts with, before it grows or shrinks
 * @param suspendOn remote replies that suspend their destination ({@code [CODE] [ENHANCED] [TEXT]})
 * @param suspendFor how long such a suspension lasts
 * @param suspendUnreachable whether a destination none of whose hosts answers an attempt at a concurrency of 1
 *     is suspended for {@code suspendFor} too
 * @param destinations per-destination rules, the first that matches wins ({@link ShapingRuleText})
 */
public record ShapingConfig(
        int initialConcurrency,
        List<ReplyPattern> suspendOn,
        Duration suspendFor,
        boolean suspendUnreachable,
        List<DestinationRule> destinations) {

    public ShapingConfig {
        suspendOn = List.copyOf(suspendOn);
        destinations = List.copyOf(destinations);
    }

    /** The policy the queue follows. */
    public ShapingPolicy policy() {
        return new ShapingPolicy(initialConcurrency, destinations, suspendOn, suspendFor, suspendUnreachable);
    }
}
