package dev.tern.server.config;

import java.time.Duration;

/**
 * MTA-STS (RFC 8461) for recipient domains without a {@code delivery.tls-policy} entry.
 *
 * @param enabled false: such domains get opportunistic TLS ({@code may})
 * @param port the HTTPS port of {@code mta-sts.DOMAIN}: 443; tests point it at a loopback server
 * @param timeout the longest wait for a policy (TXT lookup, connect, TLS, response); past it delivery goes
 *     on with the cached policy, or none
 * @param maxPolicies the most domains whose policies are kept (in memory and in DATA-DIR/mta-sts-policies)
 */
public record MtaStsConfig(boolean enabled, int port, Duration timeout, int maxPolicies) {}
