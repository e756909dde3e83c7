package dev.tern.relay.tlsrpt;

import dev.tern.relay.tls.DomainTls;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, for TLS reports (RFC 8460), the sessions delivery had with each recipient domain's mail
 * exchangers: successes, and failures by result type, host and address. Counts only, nothing per
 * message; at most {@code maxDomains} domains per period, and at most {@link #MAX_FAILURE_DETAILS} kinds
 * of failure per domain (more are still counted in the total). Safe from any thread: delivery calls it on
 * event loops. {@link #drain()} hands the period's counts over and starts a new period; a session counted
 * while the period turns over may land in either.
 */
public final class TlsSessionCounts {
    /** Distinct (result type, host, address) kept per domain and policy. */
    static final int MAX_FAILURE_DETAILS = 100;

    static final String STS = "sts";
    static final String TLSA = "tlsa";
    static final String NO_POLICY_FOUND = "no-policy-found";

    private final int maxDomains;
    private final Clock clock;
    private final AtomicReference<Period> period;

    public TlsSessionCounts(int maxDomains, Clock clock) {
        if (maxDomains < 1) {
            throw new IllegalArgumentException("maxDomains must be positive");
        }
        this.maxDomains = maxDomains;
        this.clock = clock;
        this.period = new AtomicReference<>(new Period(clock.instant()));
    }

    /** The counts of one period, from its start to {@link #end}. */
    public record Drained(Instant start, Instant end, List<PolicySummary> policies, long droppedDomains) {}

    /** A TLS session with a host of {@code domain}'s that met {@code policy} and carried a transaction. */
    public void success(String domain, DomainTls policy) {
        Counts counts = counts(domain, policy);
        if (counts != null) {
            counts.successes.increment();
        }
    }

    /**
     * A host of {@code domain}'s that could not give the TLS {@code policy} asks for.
     *
     * @param ip the address dialled, or null when the host was not tried (an MTA-STS policy does not list it)
     */
    public void failure(String domain, DomainTls policy, String mxHost, InetAddress ip, TlsResultType type) {
        Counts counts = counts(domain, policy);
        if (counts == null) {
            return;
        }
        counts.failures.increment();
        Failure key = new Failure(type, mxHost.toLowerCase(Locale.ROOT), ip == null ? null : ip.getHostAddress());
        LongAdder detail = counts.details.get(key);
        if (detail == null && counts.details.size() < MAX_FAILURE_DETAILS) {
            detail = counts.details.computeIfAbsent(key, k -> new LongAdder());
        }
        if (detail != null) {
            detail.increment();
        }
    }

    /** The counts since the last drain, and a fresh period from now. */
    public Drained drain() {
        Instant now = clock.instant();
        Period ended = period.getAndSet(new Period(now));
        List<PolicySummary> out = new ArrayList<>(ended.byPolicy.size());
        ended.byPolicy.forEach((key, counts) -> out.add(counts.summary(key)));
        out.sort(Comparator.comparing(PolicySummary::domain).thenComparing(PolicySummary::policyType));
        return new Drained(ended.start, now, out, ended.dropped.sum());
    }

    private Counts counts(String domain, DomainTls policy) {
        Period current = period.get();
        String type = policy.source().equals(DomainTls.MTA_STS)
                ? STS
                : policy.source().equals(DomainTls.DANE) ? TLSA : NO_POLICY_FOUND;
        Key key = new Key(domain.toLowerCase(Locale.ROOT), type);
        Counts counts = current.byPolicy.get(key);
        if (counts != null) {
            return counts;
        }
        if (current.byPolicy.size() >= maxDomains) {
            current.dropped.increment();
            return null;
        }
        return current.byPolicy.computeIfAbsent(key, k -> new Counts(policy));
    }

    private record Key(String domain, String policyType) {}

    private record Failure(TlsResultType type, String mxHost, String ip) {}

    private static final class Period {
        final Instant start;
        final Map<Key, Counts> byPolicy = new ConcurrentHashMap<>();
        final LongAdder dropped = new LongAdder();

        Period(Instant start) {
            this.start = start;
        }
    }

    private static final class Counts {
        final DomainTls policy;
        final LongAdder successes = new LongAdder();
        final LongAdder failures = new LongAdder();
        final Map<Failure, LongAdder> details = new ConcurrentHashMap<>();

        Counts(DomainTls policy) {
            this.policy = policy;
        }

        PolicySummary summary(Key key) {
            List<PolicySummary.FailureDetail> failed = new ArrayList<>(details.size());
            details.forEach(
                    (f, n) -> failed.add(new PolicySummary.FailureDetail(f.type(), f.mxHost(), f.ip(), n.sum())));
            failed.sort(Comparator.comparing(
                            (PolicySummary.FailureDetail f) -> f.type().key())
                    .thenComparing(PolicySummary.FailureDetail::receivingMxHostname)
                    .thenComparing(f -> f.receivingIp() == null ? "" : f.receivingIp()));
            boolean sts = key.policyType().equals(STS);
            return new PolicySummary(
                    key.domain(),
                    key.policyType(),
                    sts ? policyStrings(policy) : List.of(),
                    sts ? policy.mx() : List.of(),
                    successes.sum(),
                    failures.sum(),
                    failed);
        }

        /**
         * RFC 8460 4.4: an MTA-STS policy's lines as the policy file has them. Rebuilt from what Tern keeps
         * of it (its mode and mx patterns); its max_age is not kept, so it is left out.
         */
        private static List<String> policyStrings(DomainTls policy) {
            List<String> lines = new ArrayList<>();
            lines.add("version: STSv1");
            lines.add("mode: " + (policy.testing() ? "testing" : "enforce"));
            policy.mx().forEach(mx -> lines.add("mx: " + mx));
            return lines;
        }
    }
}
