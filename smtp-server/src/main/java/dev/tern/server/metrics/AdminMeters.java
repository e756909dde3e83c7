package dev.tern.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tern.admin.actions{action,outcome}}: admin API requests. The counters of an action are made
 * when its route is added, one per outcome, so recording is a map read and an increment.
 */
public final class AdminMeters implements AdminMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter[]> counters = new ConcurrentHashMap<>();

    AdminMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void register(String action) {
        counters.computeIfAbsent(action, a -> {
            Outcome[] outcomes = Outcome.values();
            Counter[] byOutcome = new Counter[outcomes.length];
            for (Outcome o : outcomes) {
                byOutcome[o.ordinal()] = Counter.builder("tern.admin.actions")
                        .description("Admin API requests, by action and outcome")
                        .tag("action", a)
                        .tag("outcome", o.tag())
                        .register(registry);
            }
            return byOutcome;
        });
    }

    @Override
    public void record(String action, Outcome outcome) {
        Counter[] byOutcome = counters.get(action);
        if (byOutcome != null) {
            byOutcome[outcome.ordinal()].increment();
        }
    }
}
