package dev.tern.server.metrics;

import dev.tern.relay.queue.DeliveryScheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.function.ToDoubleFunction;

/**
 * Queue depth by state, the age of the oldest message and the destinations suspended, read from what the
 * scheduler publishes.
 */
public final class QueueMeters implements MeterBinder {
    private final DeliveryScheduler scheduler;
    private final Clock clock;

    public QueueMeters(DeliveryScheduler scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        state(registry, "active", s -> s.depth().active());
        state(registry, "deferred", s -> s.depth().deferred());
        state(registry, "held", s -> s.depth().held());
        Gauge.builder("smtp.relay.destinations.suspended", scheduler, DeliveryScheduler::suspendedDestinations)
                .description("Destinations suspended now, by a reply or by an operator")
                .register(registry);
        Gauge.builder("tern.queue.oldest.age", scheduler, this::oldestAgeSeconds)
                .description("Age of the oldest message in the queue (0 when empty)")
                .baseUnit("seconds")
                .register(registry);
    }

    private void state(MeterRegistry registry, String state, ToDoubleFunction<DeliveryScheduler> value) {
        Gauge.builder("tern.queue.messages", scheduler, value)
                .description("Messages in the queue, by state")
                .tag("state", state)
                .register(registry);
    }

    private double oldestAgeSeconds(DeliveryScheduler s) {
        long oldest = s.depth().oldestArrivalMillis();
        return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
    }
}
