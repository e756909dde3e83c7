package dev.tern.server.config;

import java.time.Duration;
import java.util.List;

/**
 * The resolvers Tern asks for MX and address records. Empty {@code servers}: the system's
 * (/etc/resolv.conf). Each entry is an address with an optional port: {@code 127.0.0.1:5353},
 * {@code [::1]:53}, {@code 192.0.2.53}.
 */
public record DnsConfig(List<String> servers, Duration timeout) {
    public DnsConfig {
        servers = List.copyOf(servers);
    }
}
