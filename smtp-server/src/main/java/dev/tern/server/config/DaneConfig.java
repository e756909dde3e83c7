package dev.tern.server.config;

import java.time.Duration;

/**
 * DANE (RFC 7672) for delivery to mail exchangers: TLSA records, DNSSEC-validated from {@code
 * dns.trust-anchor-file} (or IANA's root anchors), decide the TLS of their hosts.
 *
 * @param enabled true: for every recipient domain without a {@code delivery.tls-policy} entry; false: only for
 *     the domains whose entry is {@code dane}
 * @param timeout the longest one validated question may take (the keys above it included): the MX question,
 *     then the TLSA questions of its hosts at once
 */
public record DaneConfig(boolean enabled, Duration timeout) {}
