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
 * @param source the meter tag and log word: a {@link TlsPolicy#key()}, {@code mta-sts}, or what a message
 *     asked for itself: {@code requiretls}, {@code tls-required-no} (RFC 8689, see {@link MessageTls})
 * @param dane the DANE state of the domain's hosts, or null where DANE does not apply
 */
public record DomainTls(String source, TlsPolicy level, boolean testing, List<String> mx, DaneHosts dane) {
    public static final String MTA_STS = "mta-sts";
    /** The message came with REQUIRETLS (RFC 8689 4) and the domain's policy verified less. */
    public static final String REQUIRETLS = "requiretls";
    /** The message's header said {@code TLS-Required: No} (RFC 8689 5). */
    public static final String TLS_REQUIRED_NO_SOURCE = "tls-required-no";
    /** The meter tag and log word of hosts held to their TLSA records. */
    public static final String DANE = TlsPolicy.DANE.key();

    /** No configured policy and no MTA-STS: opportunistic, as RFC 7435 and RFC 3207 have it. */
    public static final DomainTls OPPORTUNISTIC = configured(TlsPolicy.MAY);

    /** The sender asked that TLS policies be ignored: opportunistic TLS, any mail exchanger. */
    public static final DomainTls TLS_REQUIRED_NO =
            new DomainTls(TLS_REQUIRED_NO_SOURCE, TlsPolicy.MAY, false, List.of());

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
        return switch (source) {
            case MTA_STS -> "MTA-STS policy (" + (testing ? "testing" : "enforce") + ")";
            case REQUIRETLS -> "REQUIRETLS (verified TLS)";
            case TLS_REQUIRED_NO_SOURCE -> "TLS-Required: No";
            default -> "TLS policy " + source;
        };
    }
}
