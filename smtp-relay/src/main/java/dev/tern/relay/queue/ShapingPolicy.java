package dev.tern.relay.queue;

import java.time.Duration;
import java.util.List;

/**
 * Traffic shaping per destination (see docs/shaping.md): each destination starts with {@code
 * initialConcurrency} attempts at once, grows while it delivers and shrinks when it pushes back; the
 * first of {@code rules} that matches a destination may limit its rate and concurrency; a reply that
 * matches one of {@code suspendOn} suspends the destination for {@code suspendFor}, and so, with {@code
 * suspendUnreachable}, does an attempt at a concurrency of 1 in which no host of it answered.
 */
public record ShapingPolicy(
        int initialConcurrency,
        List<DestinationRule> rules,
        List<ReplyPattern> suspendOn,
        Duration suspendFor,
        boolean suspendUnreachable) {

    /**
     * The defaults: start at 2, no rate limit, suspend for 5 minutes on {@code 421 4.7.0} and {@code 4.7.28},
     * and when no host answers.
     */
    public static final ShapingPolicy DEFAULT = new ShapingPolicy(
            2,
            List.of(),
            List.of(ReplyPattern.parse("421 4.7.0"), ReplyPattern.parse("4.7.28")),
            Duration.ofMinutes(5),
            true);

    public ShapingPolicy {
        rules = List.copyOf(rules);
        suspendOn = List.copyOf(suspendOn);
        if (initialConcurrency < 1) {
            throw new IllegalArgumentException("initial concurrency must be at least 1");
        }
        if (suspendFor.isNegative() || suspendFor.isZero()) {
            throw new IllegalArgumentException("suspend-for must be positive");
        }
    }

    /** The first rule matching {@code destination}, or null. */
    DestinationRule ruleFor(String destination) {
        for (DestinationRule rule : rules) {
            if (rule.matches(destination)) {
                return rule;
            }
        }
        return null;
    }
}
