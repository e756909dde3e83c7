package dev.tern.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The resolvers Tern asks for MX and address records. Empty {@code servers}: the system's
 * (/etc/resolv.conf).
 *
 * @param trustAnchorFile DS or DNSKEY records in zone-file form that DNSSEC validation (for DANE) starts from,
 *     or null for IANA's root anchors, built in
 */
public record DnsConfig(List<DnsServer> servers, Duration timeout, Path trustAnchorFile) {
    public DnsConfig {
        servers = List.copyOf(servers);
    }
}
