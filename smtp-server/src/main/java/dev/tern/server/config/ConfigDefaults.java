package dev.tern.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every default, in one place: what a newcomer gets from {@code tern serve} with no file and no
 * environment. Paths under the data directory ({@code auth.users-file}, {@code spool.directory}) are left
 * {@code null} here and resolved against the effective {@code data-dir} by the loader.
 */
final class ConfigDefaults {
    static final long KIB = 1L << 10;
    static final long MIB = 1L << 20;

    private ConfigDefaults() {}

    /** The defaults; {@code hostname} comes from the {@code HOSTNAME} variable of {@code env} if set. */
    static TernConfig defaults(Map<String, String> env) {
        String hostname = env.getOrDefault("HOSTNAME", "");
        return new TernConfig(
                hostname.isBlank() ? "localhost" : hostname.strip(),
                Path.of("tern-data"),
                List.of(
                        new ListenerConfig("mx", ListenerMode.MX, "127.0.0.1", 2525),
                        new ListenerConfig("submission", ListenerMode.SUBMISSION, "127.0.0.1", 2587),
                        new ListenerConfig("smtps", ListenerMode.SMTPS, "127.0.0.1", 2465)),
                new LocalConfig(List.of("localhost"), List.of(), Map.of()),
                new RelayConfig(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"))),
                // Header section: 100KiB as Postfix's header_size_limit, and 1000 fields.
                new LimitsConfig(10_000, 50, 25 * MIB, 100, 10, 50, 512 * MIB, 100 * KIB, 1000),
                // RFC 5321 4.5.3.2.7 (command: 5 minutes) and 4.5.3.2.5 (data block: 3 minutes).
                new TimeoutsConfig(
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(3),
                        Duration.ofMinutes(10),
                        1024,
                        Duration.ofSeconds(30)),
                new TlsConfig(null, null),
                new AuthConfig(null),
                new SpoolConfig(null, 64 * MIB, 256),
                // Postfix-like: first retry after 5 minutes, at most every 4 hours, give up after 5 days.
                new DeliveryConfig(
                        true,
                        Duration.ofMinutes(5),
                        Duration.ofHours(4),
                        Duration.ofDays(5),
                        Duration.ZERO,
                        100,
                        20,
                        25,
                        true,
                        5,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        Map.of()),
                new DnsConfig(List.of(), Duration.ofSeconds(5)),
                new ManagementConfig("127.0.0.1", 9465, true),
                Duration.ofSeconds(30));
    }
}
