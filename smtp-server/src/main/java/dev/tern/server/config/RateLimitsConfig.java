package dev.tern.server.config;

import java.time.Duration;

/**
 * Rate limits per client address (Postfix's anvil): counted over a sliding window across every listener,
 * for an IPv4 address cut to {@code ipv4Prefix} bits and an IPv6 address to {@code ipv6Prefix} (a /64 is
 * one customer). A limit of 0 is off. Clients in {@code relay.trusted-networks} are exempt, and
 * authenticated sessions from the message and recipient rates when {@code exemptAuthenticated}.
 *
 * @param connectionsPerMinute new connections; past it {@code 421 4.7.0} and close
 * @param messagesPerMinute transactions (MAIL); past it {@code 450 4.7.1}
 * @param recipientsPerMinute RCPT commands; past it {@code 452 4.7.1}
 * @param tlsHandshakesPerMinute STARTTLS and implicit-TLS connections; past it {@code 454 4.7.0} (closed on smtps)
 * @param authFailures failed AUTH attempts within {@code authFailureWindow}; past it AUTH gets {@code 454 4.7.0}
 * @param authFailuresPerUser the same for one user name, from any address (credential stuffing)
 * @param maxTrackedClients the most addresses and user names remembered; the least recently seen go first
 */
public record RateLimitsConfig(
        int connectionsPerMinute,
        int messagesPerMinute,
        int recipientsPerMinute,
        int tlsHandshakesPerMinute,
        int authFailures,
        int authFailuresPerUser,
        Duration authFailureWindow,
        int ipv4Prefix,
        int ipv6Prefix,
        int maxTrackedClients,
        boolean exemptAuthenticated) {

    /** Whether every rate is off, so nothing need be counted. */
    public boolean off() {
        return connectionsPerMinute == 0
                && messagesPerMinute == 0
                && recipientsPerMinute == 0
                && tlsHandshakesPerMinute == 0
                && authFailures == 0
                && authFailuresPerUser == 0;
    }
}
