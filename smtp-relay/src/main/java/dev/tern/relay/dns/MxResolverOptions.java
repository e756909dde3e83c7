package dev.tern.relay.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Predicate;

/**
 * Settings of {@link DnsMailExchangerResolver}; start from {@link #defaults()} and change fields
 * with the {@code withXxx} methods.
 *
 * @param servers DNS servers to ask; empty means the system's resolvers (dnsjava's {@code
 *     ResolverConfig}: resolv.conf and the like)
 * @param timeout how long to wait for one answer from one server
 * @param retries how many more times a query is sent to a server that did not answer
 * @param maxHosts most MX hosts kept per domain (RFC 5321 5.1 lets a sender bound the list)
 * @param maxAddressesPerHost most addresses kept per MX host
 * @param addressOrder which address families are looked up, and which is tried first
 * @param selfHosts true for host names that are this server (RFC 5321 5.1 loop detection)
 * @param selfAddresses true for addresses of this server (also loop detection)
 * @param cacheMaxEntries bound on the answer cache (names), least recently used evicted first
 * @param executor where lookups complete; never an event loop
 */
public record MxResolverOptions(
        List<InetSocketAddress> servers,
        Duration timeout,
        int retries,
        int maxHosts,
        int maxAddressesPerHost,
        AddressOrder addressOrder,
        Predicate<String> selfHosts,
        Predicate<InetAddress> selfAddresses,
        int cacheMaxEntries,
        Executor executor) {

    /** Address families to look up for a host, in the order their addresses are tried. */
    public enum AddressOrder {
        IPV4_ONLY,
        IPV6_ONLY,
        IPV4_FIRST,
        IPV6_FIRST
    }

    public MxResolverOptions {
        servers = List.copyOf(servers);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(addressOrder, "addressOrder");
        Objects.requireNonNull(selfHosts, "selfHosts");
        Objects.requireNonNull(selfAddresses, "selfAddresses");
        Objects.requireNonNull(executor, "executor");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (retries < 0 || maxHosts < 1 || maxAddressesPerHost < 1 || cacheMaxEntries < 1) {
            throw new IllegalArgumentException(
                    "retries must be >= 0; maxHosts, maxAddressesPerHost and cacheMaxEntries >= 1");
        }
    }

    /** System resolvers, 5 s timeout, 2 retries, 5 hosts of 3 addresses each, IPv4 first. */
    public static MxResolverOptions defaults() {
        return new MxResolverOptions(
                List.of(),
                Duration.ofSeconds(5),
                2,
                5,
                3,
                AddressOrder.IPV4_FIRST,
                host -> false,
                address -> false,
                10_000,
                ForkJoinPool.commonPool());
    }

    public MxResolverOptions withServers(List<InetSocketAddress> servers) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }

    public MxResolverOptions withTimeout(Duration timeout, int retries) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }

    public MxResolverOptions withLimits(int maxHosts, int maxAddressesPerHost) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }

    public MxResolverOptions withAddressOrder(AddressOrder addressOrder) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }

    /** {@code selfHosts} receives lower-case names without the trailing dot. */
    public MxResolverOptions withSelf(Predicate<String> selfHosts, Predicate<InetAddress> selfAddresses) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }

    public MxResolverOptions withCacheMaxEntries(int cacheMaxEntries) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }

    public MxResolverOptions withExecutor(Executor executor) {
        return new MxResolverOptions(
                servers,
                timeout,
                retries,
                maxHosts,
                maxAddressesPerHost,
                addressOrder,
                selfHosts,
                selfAddresses,
                cacheMaxEntries,
                executor);
    }
}
