package dev.tern.relay.tls;

import dev.tern.relay.client.ClientRoute;
import java.util.List;

/**
 * The TLS policy one delivery to a domain follows: the level every mail exchanger must meet, which
 * exchangers may be used at all (MTA-STS's {@code mx} patterns; empty: any), and whether failures only
 * count (MTA-STS testing mode: delivered as {@link TlsPolicy#MAY}, failures logged and counted).
 *
 * <p>When DANE applies (RFC 7672), {@code dane} says how each mail exchanger stands: a host with usable TLSA
 * records is held to them whatever the rest says, a host DANE makes unusable is not used, and a host without
 * TLSA records follows the rest of this policy (RFC 8461 2: DANE outranks MTA-STS).
 *
 * @param source the meter tag and log word: a {@link TlsPolicy#key()}, or {@code mta-sts}
 * @param dane the DANE state of the domain's hosts, or null where DANE does not apply
 */
public record DomainTls(String source, TlsPolicy level, boolean testing, List<String> mx, DaneHosts dane) {
    public static final String MTA_STS = "mta-sts";
    /** The meter tag and log word of hosts held to their TLSA records. */
    public static final String DANE = TlsPolicy.DANE.key();

    /** No configured policy and no MTA-STS: opportunistic, as RFC 7435 and RFC 3207 have it. */
    public static final DomainTls OPPORTUNISTIC = configured(TlsPolicy.MAY);

    public DomainTls {
        mx = List.copyOf(mx);
    }

    /** A policy DANE has no part in. */
    public DomainTls(String source, TlsPolicy level, boolean testing, List<String> mx) {
        this(source, level, testing, mx, null);
    }

    /** This policy, with DANE's word on each host. */
    public DomainTls withDane(DaneHosts hosts) {
        return new DomainTls(source, level, testing, mx, hosts);
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
