package dev.tern.relay.tls;

import java.util.Locale;
import java.util.Map;

/**
 * What DANE (RFC 7672 2.2) says of a domain's mail exchangers: either one failure for the whole domain (its
 * MX RRset is bogus, or could not be validated: nothing may be delivered, RFC 7672 2.1.1), or each host named
 * in the DNSSEC-validated MX RRset with its TLSA state. A host the validated RRset does not name is never
 * used: an insecure answer must not add a host that escapes DANE.
 *
 * @param failure why the domain gets nothing, or null
 * @param hosts lower-case host name to its state; empty with a failure
 */
public record DaneHosts(String failure, Map<String, Host> hosts) {

    /** A mail exchanger's TLSA state. */
    public sealed interface Host {
        /** A secure, usable TLSA RRset: STARTTLS is required, and the chain must pass the check. */
        record Verify(TlsaCheck check) implements Host {}

        /** Secure proof of no usable TLSA records (or an insecure TLSA answer): the other policies apply. */
        record NoRecords() implements Host {}

        /** The host may not be used: its TLSA answer is bogus or failed, or it is not a validated MX host. */
        record Unusable(String reason) implements Host {}
    }

    private static final Host NO_RECORDS = new Host.NoRecords();

    public DaneHosts {
        hosts = Map.copyOf(hosts);
    }

    /** Nothing is delivered to the domain, for {@code reason}. */
    public static DaneHosts failed(String reason) {
        return new DaneHosts(reason, Map.of());
    }

    public static Host noRecords() {
        return NO_RECORDS;
    }

    /** The state of {@code host}: a host outside the validated MX RRset is unusable. */
    public Host host(String host) {
        Host state = hosts.get(normalize(host));
        return state != null ? state : new Host.Unusable("not among the DNSSEC-validated mail exchangers");
    }

    static String normalize(String host) {
        String lower = host.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
    }
}
