package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each {@code TERN_*} variable lands on its key. */
class ConfigOverridesTest {

    static Stream<Arguments> overrides() {
        return Stream.of(
                // plain string
                row("TERN_HOSTNAME", "mx.example", c -> c.hostname(), "mx.example"),
                // path
                row("TERN_DATA_DIR", "/srv/tern", c -> c.dataDir().toString(), "/srv/tern"),
                // size with a binary suffix
                row("TERN_LIMITS_MAX_MESSAGE_SIZE", "10MiB", c -> c.limits().maxMessageSize(), 10L << 20),
                // size in plain bytes
                row("TERN_LIMITS_MAX_INFLIGHT_BYTES", "4096", c -> c.limits().maxInflightBytes(), 4096L),
                // size in KiB
                row("TERN_LIMITS_MAX_HEADER_SIZE", "64KiB", c -> c.limits().maxHeaderSize(), 64L << 10),
                // integer
                row("TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "3", c -> c.limits().maxConnectionsPerIp(), 3),
                // comma-separated list
                row(
                        "TERN_LOCAL_DOMAINS",
                        "a.example, b.example",
                        c -> c.local().domains(),
                        java.util.List.of("a.example", "b.example")),
                // map as name=value pairs
                row(
                        "TERN_LOCAL_ALIASES",
                        "abuse=root@a.example,postmaster=root@a.example",
                        c -> c.local().aliases().get("abuse"),
                        "root@a.example"),
                // CIDR list
                row(
                        "TERN_RELAY_TRUSTED_NETWORKS",
                        "10.0.0.0/8",
                        c -> c.relay().trustedNetworks(),
                        java.util.List.of(Cidr.parse("10.0.0.0/8"))),
                // listener indexed by name
                row(
                        "TERN_LISTENERS_MX_PORT",
                        "25",
                        c -> c.listener("mx").orElseThrow().port(),
                        25),
                row(
                        "TERN_LISTENERS_MX_ADDRESS",
                        "0.0.0.0",
                        c -> c.listener("mx").orElseThrow().address(),
                        "0.0.0.0"),
                // duration
                row("TERN_TIMEOUTS_COMMAND", "90s", c -> c.timeouts().command(), java.time.Duration.ofSeconds(90)),
                row("TERN_SHUTDOWN_GRACE", "2m", c -> c.shutdownGrace(), java.time.Duration.ofMinutes(2)),
                // boolean
                row("TERN_MANAGEMENT_ENABLED", "false", c -> c.management().enabled(), false),
                // nullable path pair set together below; users file alone
                row(
                        "TERN_AUTH_USERS_FILE",
                        "/etc/tern/users",
                        c -> c.auth().usersFile().toString(),
                        "/etc/tern/users"),
                // reply patterns, comma-separated
                row(
                        "TERN_DELIVERY_SHAPING_SUSPEND_ON",
                        "421 4.7.0, 4xx too many connections",
                        c -> c.delivery().shaping().suspendOn().stream()
                                .map(Object::toString)
                                .toList(),
                        java.util.List.of("421 4.7.0", "4xx too many connections")),
                // shaping rules, one line each, comma-separated
                row(
                        "TERN_DELIVERY_SHAPING_DESTINATIONS",
                        "gmail.com max-rate=10/s max-concurrency=5, .example.net initial-concurrency=1",
                        c -> c.delivery().shaping().destinations(),
                        java.util.List.of(
                                new dev.tern.relay.queue.DestinationRule(
                                        "gmail.com", dev.tern.relay.queue.MessageRate.parse("10/s"), 5, 0),
                                new dev.tern.relay.queue.DestinationRule(".example.net", null, 0, 1))),
                row("TERN_SPOOL_MAX_BATCH", "16", c -> c.spool().maxBatch(), 16),
                // a map of domains to TLS policies: name=value pairs
                row(
                        "TERN_DELIVERY_TLS_POLICY",
                        "example.com=verify,.Example.NET=encrypt",
                        c -> c.delivery().tlsPolicy(),
                        Map.of(
                                "example.com",
                                dev.tern.relay.tls.TlsPolicy.VERIFY,
                                ".example.net",
                                dev.tern.relay.tls.TlsPolicy.ENCRYPT)),
                // nested section
                row(
                        "TERN_DELIVERY_MTA_STS_ENABLED",
                        "false",
                        c -> c.delivery().mtaSts().enabled(),
                        false));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("overrides")
    void environmentVariableOverridesItsKey(
            String name, String value, Function<TernConfig, Object> read, Object expected) {
        TernConfig c = ConfigLoader.load(null, Map.of(name, value));

        assertThat(read.apply(c)).isEqualTo(expected);
    }

    private static Arguments row(String name, String value, Function<TernConfig, Object> read, Object expected) {
        return Arguments.of(name, value, read, expected);
    }
}
