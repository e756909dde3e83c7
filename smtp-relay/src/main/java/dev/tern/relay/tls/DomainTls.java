package dev.tern.relay.tls;

import dev.tern.relay.client.ClientRoute;
import java.util.List;

/**
 * The TLS policy one delivery to a domain follows: the level every mail exchanger must meet, which
 * exchangers may be used at all (MTA-STS's {@code mx} patterns; empty: any), and whether failures only
 * count (MTA-STS testing mode: delivered as {@link TlsPolicy#MAY}, failures logged and counted).
 *
 * @param source the meter tag and log word: a {@link TlsPolicy#key()}, or {@code mta-sts}
 */
public record DomainTls(String source, TlsPolicy level, boolean testing, List<String> mx) {
    public static final String MTA_STS = "mta-sts";

    /** No configured policy and no MTA-STS: opportunistic, as RFC 7435 and RFC 3207 have it. */
    public static final DomainTls OPPORTUNISTIC = configured(TlsPolicy.MAY);

    public DomainTls {
        mx = List.copyOf(mx);
    }

    /** A {@code delivery.tls-policy} entry. */
    public static DomainTls configured(TlsPolicy policy) {
        return new DomainTls(policy.key(), policy, false, List.of());
    }

    /** The client route that meets the level. */
    public ClientRoute route() {
        return level.route();
    }

    /** True when {@code host} may be used: no {@code mx} list, or a pattern of it matches. */
    public boolean lists(String host) {
        return mx.isEmpty() || mx.stream().anyMatch(pattern -> HostNames.matches(pattern, host));
    }

    /** The policy in words for log lines and reports: {@code TLS policy verify}, {@code MTA-STS policy (enforce)}. */
    public String describe() {
        return source.equals(MTA_STS)
                ? "MTA-STS policy (" + (testing ? "testing" : "enforce") + ")"
                : "TLS policy " + source;
    }
}
