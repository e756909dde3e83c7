package dev.tern.server.metrics;

import dev.tern.smtp.SmtpVerb;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters for the inbound side. Every counter is created in {@link #bindTo} for every tag
 * combination, so recording is an array or enum-map read plus an adder increment. Bind before the
 * first connection.
 */
public final class SessionMeters implements SessionMetrics, MeterBinder {
    /** Final reply classes: 2xx, 4xx, 5xx (a 3xx reply only asks for more, RFC 5321 4.2.1). */
    private static final String[] REPLY_CLASSES = {"2xx", "3xx", "4xx", "5xx"};

    private final List<String> listeners;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Counter> connections = new ConcurrentHashMap<>();
    private final Map<String, Counter> tlsFailures = new ConcurrentHashMap<>();
    private final Map<ConnectionRejection, Counter> rejected = new EnumMap<>(ConnectionRejection.class);
    private final Map<MessageRejection, Counter> refused = new EnumMap<>(MessageRejection.class);
    private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
    private final Counter[][] commands = new Counter[SmtpVerb.values().length][];
    private final Counter[] sessions = new Counter[4];
    private Counter accepted;
    private DistributionSummary acceptedSize;
    private Counter received;

    /** @param listeners the configured listener names: the only values of the {@code listener} tag */
    public SessionMeters(List<String> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("smtp.server.connections.active", active, AtomicInteger::get)
                .description("Connections admitted and not yet closed, all listeners")
                .register(registry);
        for (String listener : listeners) {
            connections.put(
                    listener,
                    Counter.builder("smtp.server.connections")
                            .description("Connections admitted")
                            .tag("listener", listener)
                            .register(registry));
            tlsFailures.put(
                    listener,
                    Counter.builder("smtp.server.tls.failures")
                            .description("TLS handshakes with clients that failed")
                            .tag("listener", listener)
                            .register(registry));
        }
        for (ConnectionRejection reason : ConnectionRejection.values()) {
            rejected.put(
                    reason,
                    Counter.builder("smtp.server.connections.rejected")
                            .description("Connections refused with 421 before the session began")
                            .tag("reason", tagValue(reason))
                            .register(registry));
        }
        for (SmtpVerb verb : SmtpVerb.values()) {
            Counter[] byClass = new Counter[REPLY_CLASSES.length];
            for (int c = 0; c < REPLY_CLASSES.length; c++) {
                if (c == 1) {
                    continue; // never a final reply
                }
                byClass[c] = Counter.builder("smtp.server.commands")
                        .description("Commands, by verb and the class of their final reply")
                        .tag("verb", verb.name().toLowerCase(Locale.ROOT))
                        .tag("reply", REPLY_CLASSES[c])
                        .register(registry);
            }
            commands[verb.ordinal()] = byClass;
        }
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = Counter.builder("smtp.server.sessions")
                    .description("Sessions ended, by whether TLS and AUTH were in effect")
                    .tag("tls", Boolean.toString((i & 2) != 0))
                    .tag("auth", Boolean.toString((i & 1) != 0))
                    .register(registry);
        }
        accepted = Counter.builder("smtp.server.messages.accepted")
                .description("Messages spooled and answered 250")
                .register(registry);
        acceptedSize = DistributionSummary.builder("smtp.server.messages.size")
                .description("Size of accepted messages as spooled")
                .baseUnit("bytes")
                .register(registry);
        for (MessageRejection reason : MessageRejection.values()) {
            refused.put(
                    reason,
                    Counter.builder("smtp.server.messages.rejected")
                            .description("Complete messages refused")
                            .tag("reason", tagValue(reason))
                            .register(registry));
        }
        for (Refusal what : Refusal.values()) {
            refusals.put(
                    what,
                    Counter.builder("smtp.server.refusals")
                            .description("Refusals by rate and abuse limits and policies")
                            .tag("limit", tagValue(what))
                            .register(registry));
        }
        received = Counter.builder("smtp.server.received")
                .description("Octets read from clients (after TLS)")
                .baseUnit("bytes")
                .register(registry);
    }

    static String tagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void connectionOpened(String listener) {
        active.incrementAndGet();
        Counter counter = connections.get(listener);
        if (counter != null) {
            counter.increment();
        }
    }

    @Override
    public void connectionClosed(String listener) {
        active.decrementAndGet();
    }

    @Override
    public void connectionRejected(ConnectionRejection reason) {
        rejected.get(reason).increment();
    }

    @Override
    public void sessionEnded(boolean tls, boolean authenticated) {
        sessions[(tls ? 2 : 0) | (authenticated ? 1 : 0)].increment();
    }

    @Override
    public void command(SmtpVerb verb, int replyCode) {
        int c = replyCode / 100 - 2;
        if (c >= 0 && c < REPLY_CLASSES.length && c != 1) {
            commands[verb.ordinal()][c].increment();
        }
    }

    @Override
    public void messageAccepted(long bytes) {
        accepted.increment();
        acceptedSize.record(bytes);
    }

    @Override
    public void messageRejected(MessageRejection reason) {
        refused.get(reason).increment();
    }

    @Override
    public void refused(Refusal what) {
        refusals.get(what).increment();
    }

    @Override
    public void bytesReceived(long bytes) {
        received.increment(bytes);
    }

    @Override
    public void tlsFailed(String listener) {
        Counter counter = tlsFailures.get(listener);
        if (counter != null) {
            counter.increment();
        }
    }
}
