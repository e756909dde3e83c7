package dev.tern.server.config;

import dev.tern.relay.tls.TlsPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Delivery out of the queue. Retries back off exponentially with jitter from {@code firstRetry} up to
 * {@code maxRetry} (Postfix's minimal and maximal backoff) until {@code queueLifetime} has passed since
 * arrival; then the sender gets a DSN. {@code delayWarning} (zero: off) sends one "still trying" DSN.
 *
 * @param enabled false: accept and keep messages in the queue without delivering them (maintenance)
 * @param port the destination port for mail exchangers (25; tests and private networks change it)
 * @param preferLowLatency among mail exchangers of equal preference, favour the one that connects faster
 * @param selfAddresses addresses that reach this server though no listener is bound to them (a NAT's public
 *     address): a mail exchanger found at one is this server itself (RFC 5321 5.1)
 * @param finalDotTimeout how long to wait for the reply to the end of the message (RFC 5321 4.5.3.2.6)
 * @param routes recipient domain (lower case) to smarthost route, e.g. {@code "smtp.example.net:587 starttls
 *     user=alice password-file=/run/secrets/smtp"} (see {@link RouteSpec})
 * @param shaping per-destination concurrency, rates and suspensions
 * @param tlsPolicy recipient domain (lower case; {@code .example.com}: every subdomain) to the TLS its mail
 *     exchangers must offer; other domains follow MTA-STS, else {@code may}
 * @param tlsTrustFile a PEM bundle of roots trusted besides the JDK's for verified TLS and MTA-STS, or null
 * @param mtaSts how MTA-STS policies (RFC 8461) are fetched and kept
 * @param tlsRpt aggregate TLS reports (RFC 8460) to the domains that ask for them
 * @param dane whether DANE (RFC 7672) applies to every domain, and the bound of its lookups
 */
public record DeliveryConfig(
        boolean enabled,
        Duration firstRetry,
        Duration maxRetry,
        Duration queueLifetime,
        Duration delayWarning,
        int maxConnections,
        int maxConnectionsPerDestination,
        int port,
        boolean preferLowLatency,
        int maxMxHosts,
        List<Cidr> selfAddresses,
        Duration connectTimeout,
        Duration idleTimeout,
        Duration finalDotTimeout,
        Map<String, RouteSpec> routes,
        ShapingConfig shaping,
        Map<String, TlsPolicy> tlsPolicy,
        Path tlsTrustFile,
        MtaStsConfig mtaSts,
        TlsRptConfig tlsRpt,
        DaneConfig dane) {

    public DeliveryConfig {
        tlsPolicy = tlsPolicy.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
        selfAddresses = List.copyOf(selfAddresses);
        routes = routes.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    }
}
