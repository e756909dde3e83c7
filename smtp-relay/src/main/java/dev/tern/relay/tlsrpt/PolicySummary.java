package dev.tern.relay.tlsrpt;

import java.util.List;
import java.util.Objects;

/**
 * What one report says about one policy of one domain (RFC 8460 4.4): the policy, how many sessions
 * succeeded and failed under it, and the failures by result type and receiving host.
 *
 * @param policyType {@code sts}, {@code tlsa} or {@code no-policy-found}
 * @param policyStrings the policy's text, one string a line; empty for {@code no-policy-found}
 * @param mxHosts the mail exchanger patterns of an MTA-STS policy; else empty
 * @param failures grouped by result type and receiving host; their counts may add up to less than
 *     {@code failedSessions} when a domain had more distinct failures than are kept
 */
public record PolicySummary(
        String domain,
        String policyType,
        List<String> policyStrings,
        List<String> mxHosts,
        long successfulSessions,
        long failedSessions,
        List<FailureDetail> failures) {

    public PolicySummary {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(policyType, "policyType");
        policyStrings = List.copyOf(policyStrings);
        mxHosts = List.copyOf(mxHosts);
        failures = List.copyOf(failures);
    }

    /**
     * Failed sessions of one result type with one host.
     *
     * @param receivingIp the host's address as text, or null when no connection was made (a host the policy
     *     does not list)
     */
    public record FailureDetail(TlsResultType type, String receivingMxHostname, String receivingIp, long count) {}
}
