package dev.tern.server.metrics;

import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.tls.DomainTls;
import dev.tern.relay.tls.TlsPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Micrometer meters for the delivery side, all created in {@link #bindTo}. Also remembers when DNS
 * last answered and last timed out, which readiness reads ({@link #dnsAnswering}).
 */
public final class DeliveryMeters implements DeliveryMetrics, MeterBinder {
    private static final Kind[] KINDS = Kind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final List<String> TLS_POLICIES = Stream.concat(
                    Arrays.stream(TlsPolicy.values()).map(TlsPolicy::key),
                    Stream.of(DomainTls.MTA_STS, DomainTls.REQUIRETLS, DomainTls.TLS_REQUIRED_NO_SOURCE))
            .toList();

    private final Counter[][] attempts = new Counter[KINDS.length][OUTCOMES.length];
    private final Timer[] durations = new Timer[KINDS.length];
    private final Counter[] lookups = new Counter[DnsResult.values().length];
    private final Counter[] connections = new Counter[2];
    private final Counter[] reuse = new Counter[2];
    private final Counter[] bounces = new Counter[BounceKind.values().length];
    private final Counter[] suspensions = new Counter[2];
    private final Counter[] concurrencyChanges = new Counter[2];
    private Counter suspensionDeferrals;
    private Counter tlsFailures;
    private final Counter[] tlsReports = new Counter[TlsReportOutcome.values().length];
    /** By policy tag (none, may, encrypt, verify, dane, mta-sts), then outcome. */
    private final Map<String, Counter[]> tlsPolicies = new HashMap<>();

    private Timer dnsDuration;
    /** System.nanoTime() of the last DNS answer of any kind, and of the last timeout; 0: never. */
    private volatile long lastAnswerNanos;

    private volatile long lastTimeoutNanos;

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Kind kind : KINDS) {
            for (Outcome outcome : OUTCOMES) {
                attempts[kind.ordinal()][outcome.ordinal()] = Counter.builder("smtp.relay.delivery.attempts")
                        .description("Recipients attempted, by the outcome of the attempt and where it went")
                        .tag("outcome", SessionMeters.tagValue(outcome))
                        .tag("kind", SessionMeters.tagValue(kind))
                        .register(registry);
            }
            durations[kind.ordinal()] = Timer.builder("smtp.relay.delivery.duration")
                    .description("Time of one delivery attempt to one destination")
                    .tag("kind", SessionMeters.tagValue(kind))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry);
        }
        for (DnsResult result : DnsResult.values()) {
            lookups[result.ordinal()] = Counter.builder("smtp.relay.dns.lookups")
                    .description("MX questions, by result")
                    .tag("result", SessionMeters.tagValue(result))
                    .register(registry);
        }
        dnsDuration = Timer.builder("smtp.relay.dns.duration")
                .description("Time to answer an MX question (or give up)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        for (int tls = 0; tls < 2; tls++) {
            connections[tls] = Counter.builder("smtp.relay.connections")
                    .description("Outbound SMTP sessions set up, with or without TLS")
                    .tag("tls", Boolean.toString(tls == 1))
                    .register(registry);
        }
        tlsFailures = Counter.builder("smtp.relay.tls.failures")
                .description("Outbound sessions whose TLS failed during set-up")
                .register(registry);
        for (TlsReportOutcome outcome : TlsReportOutcome.values()) {
            tlsReports[outcome.ordinal()] = Counter.builder("smtp.relay.tls.rpt.reports")
                    .description("Aggregate TLS reports (RFC 8460), one per domain and interval")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        for (int hit = 0; hit < 2; hit++) {
            reuse[hit] = Counter.builder("smtp.relay.connections.reused")
                    .description("Connection pool look-ups: hit reuses an idle connection, miss opens one")
                    .tag("result", hit == 1 ? "hit" : "miss")
                    .register(registry);
        }
        for (int manual = 0; manual < 2; manual++) {
            suspensions[manual] = Counter.builder("smtp.relay.destination.suspensions")
                    .description("Destinations suspended: auto by a reply, manual by an operator")
                    .tag("kind", manual == 1 ? "manual" : "auto")
                    .register(registry);
        }
        for (int grew = 0; grew < 2; grew++) {
            concurrencyChanges[grew] = Counter.builder("smtp.relay.destination.concurrency.changes")
                    .description("Changes of a destination's adaptive concurrency limit")
                    .tag("direction", grew == 1 ? "grow" : "shrink")
                    .register(registry);
        }
        suspensionDeferrals = Counter.builder("smtp.relay.destination.suspension.deferrals")
                .description("Messages deferred without an attempt because their destination was suspended")
                .register(registry);
        for (String policy : TLS_POLICIES) {
            Counter[] byOutcome = new Counter[TlsPolicyOutcome.values().length];
            for (TlsPolicyOutcome outcome : TlsPolicyOutcome.values()) {
                if (outcome.dane() != policy.equals(DomainTls.DANE)) {
                    // Hosts held to TLSA records have DANE's outcomes; the other policies have theirs.
                    continue;
                }
                byOutcome[outcome.ordinal()] = Counter.builder("smtp.relay.tls.policy")
                        .description("Mail exchangers against the recipient domain's TLS policy")
                        .tag("policy", policy)
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                        .register(registry);
            }
            tlsPolicies.put(policy, byOutcome);
        }
        for (BounceKind kind : BounceKind.values()) {
            bounces[kind.ordinal()] = Counter.builder("smtp.relay.bounces")
                    .description("Delivery status notifications queued for senders")
                    .tag("kind", SessionMeters.tagValue(kind))
                    .register(registry);
        }
    }

    @Override
    public void attempt(Kind kind, long nanos) {
        durations[kind.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recipients(Kind kind, Outcome outcome, int recipients) {
        attempts[kind.ordinal()][outcome.ordinal()].increment(recipients);
    }

    @Override
    public void dnsLookup(DnsResult result, long nanos) {
        lookups[result.ordinal()].increment();
        dnsDuration.record(nanos, TimeUnit.NANOSECONDS);
        long now = System.nanoTime();
        if (result == DnsResult.TIMEOUT) {
            lastTimeoutNanos = now;
        } else {
            lastAnswerNanos = now;
        }
    }

    @Override
    public void outboundConnection(boolean tls) {
        connections[tls ? 1 : 0].increment();
    }

    @Override
    public void outboundTlsFailed() {
        tlsFailures.increment();
    }

    @Override
    public void tlsPolicy(String policy, TlsPolicyOutcome outcome) {
        Counter[] byOutcome = tlsPolicies.get(policy);
        if (byOutcome != null && byOutcome[outcome.ordinal()] != null) {
            byOutcome[outcome.ordinal()].increment();
        }
    }

    @Override
    public void tlsReport(TlsReportOutcome outcome) {
        tlsReports[outcome.ordinal()].increment();
    }

    @Override
    public void connectionReuse(boolean hit) {
        reuse[hit ? 1 : 0].increment();
    }

    @Override
    public void bounceSent(BounceKind kind) {
        bounces[kind.ordinal()].increment();
    }

    @Override
    public void destinationSuspended(boolean manual) {
        suspensions[manual ? 1 : 0].increment();
    }

    @Override
    public void concurrencyChanged(boolean grew) {
        concurrencyChanges[grew ? 1 : 0].increment();
    }

    @Override
    public void deferredBySuspension() {
        suspensionDeferrals.increment();
    }

    /**
     * DNS counts as answering unless the last MX question timed out, less than {@code window} before
     * {@code nowNanos}, with no answer since. No question at all is fine: nothing to deliver yet.
     */
    public boolean dnsAnswering(long nowNanos, Duration window) {
        long timeout = lastTimeoutNanos;
        if (timeout == 0 || lastAnswerNanos - timeout > 0) {
            return true;
        }
        return nowNanos - timeout > window.toNanos();
    }
}
