package dev.tern.server.config;

import java.time.Duration;
import java.util.List;

/**
 * The resolvers Tern asks for MX and address records. Empty {@code servers}: the system's
 * (/etc/resolv.conf).
 */
public record DnsConfig(List<DnsServer> servers, Duration timeout) {
    public DnsConfig {
        servers = List.copyOf(servers);
    }
}
