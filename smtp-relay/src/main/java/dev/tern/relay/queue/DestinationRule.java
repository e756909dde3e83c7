package dev.tern.relay.queue;

import java.util.Locale;
import java.util.Objects;

/**
 * How one destination, or a family of them, is shaped. {@code match} is a recipient domain ({@code
 * example.com}, that domain only), {@code *.example.com} (its subdomains, not the domain itself) or
 * {@code .example.com} (the domain and its subdomains); {@code *} matches every destination.
 *
 * @param match which destinations this rule is for
 * @param maxRate the most messages started per period, or null for no limit
 * @param maxConcurrency the most attempts at once (0: only the global per-destination cap)
 * @param initialConcurrency the concurrency a destination starts with (0: the policy's default)
 */
public record DestinationRule(String match, MessageRate maxRate, int maxConcurrency, int initialConcurrency) {

    public DestinationRule {
        Objects.requireNonNull(match, "match");
        match = match.strip().toLowerCase(Locale.ROOT);
        if (match.isEmpty() || match.chars().anyMatch(c -> c <= ' ' || c == '@')) {
            throw new IllegalArgumentException("a match is a domain, *.domain, .domain or *, got '" + match + "'");
        }
        if (match.indexOf('*') > 0 || (match.startsWith("*") && !match.equals("*") && !match.startsWith("*."))) {
            throw new IllegalArgumentException("'*' only stands first, as in *.example.com, got '" + match + "'");
        }
        if (maxConcurrency < 0 || initialConcurrency < 0) {
            throw new IllegalArgumentException("concurrency must not be negative");
        }
    }

    /** Whether this rule is for {@code destination} (lower case). */
    public boolean matches(String destination) {
        if (match.equals("*")) {
            return true;
        }
        if (match.startsWith("*.")) {
            return destination.endsWith(match.substring(1));
        }
        if (match.startsWith(".")) {
            return destination.equals(match.substring(1)) || destination.endsWith(match);
        }
        return destination.equals(match);
    }
}
