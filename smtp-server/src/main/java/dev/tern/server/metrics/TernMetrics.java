package dev.tern.server.metrics;

import dev.tern.relay.queue.DeliveryScheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Every meter of one Tern, in one Prometheus registry: the recorders the inbound and delivery sides
 * call, the spool listener, and the JVM and Netty meters. Created before the spool opens (the spool
 * takes {@link #spool()} as its listener); the queue and the event loops are bound once they exist.
 */
public final class TernMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = describedRegistry();
    private final SessionMeters sessions;
    private final DeliveryMeters delivery = new DeliveryMeters();
    private final SpoolMeters spool = new SpoolMeters();
    private final DkimMeters dkim = new DkimMeters();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final AdminMeters admin = new AdminMeters(registry);

    /** @param listeners the names of the configured SMTP listeners */
    public TernMetrics(List<String> listeners) {
        this.sessions = new SessionMeters(listeners);
        sessions.bindTo(registry);
        delivery.bindTo(registry);
        spool.bindTo(registry);
        dkim.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
    }

    /** The registry, its filter in place before any meter is registered (a filter applies to later meters only). */
    private static PrometheusMeterRegistry describedRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterDescriptions());
        return registry;
    }

    public SessionMeters sessions() {
        return sessions;
    }

    public DeliveryMeters delivery() {
        return delivery;
    }

    public SpoolMeters spool() {
        return spool;
    }

    /** The admin API's requests by action and outcome. */
    public AdminMetrics admin() {
        return admin;
    }

    public DkimMeters dkim() {
        return dkim;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Queue depth gauges, read from the scheduler. */
    public void bindQueue(DeliveryScheduler scheduler, Clock clock) {
        new QueueMeters(scheduler, clock).bindTo(registry);
    }

    /**
     * {@code smtp.server.listener.up}: 1 while the named SMTP listener is bound and accepting, 0 when it
     * is not (it closed at shutdown, or never bound).
     */
    public void bindListener(String name, BooleanSupplier accepting) {
        Gauge.builder("smtp.server.listener.up", accepting, a -> a.getAsBoolean() ? 1 : 0)
                .strongReference(true)
                .description("1 while the SMTP listener is bound and accepting")
                .tag("listener", name)
                .register(registry);
    }

    /** Client addresses the rate limiter remembers, and the spool file system's free space. */
    public void bindLimits(LongSupplier trackedClients, LongSupplier spoolFree) {
        // Strong references: a gauge holds its state weakly, and these suppliers have no other owner.
        Gauge.builder("smtp.server.limits.tracked", trackedClients, LongSupplier::getAsLong)
                .strongReference(true)
                .description("Client addresses the rate limits remember")
                .register(registry);
        Gauge.builder("tern.spool.disk.free", spoolFree, LongSupplier::getAsLong)
                .strongReference(true)
                .description("Octets usable on the spool's file system")
                .baseUnit("bytes")
                .register(registry);
    }

    /**
     * Event loops per group and pending tasks per event loop, tagged {@code group=name}: without the
     * tag every group's {@code netty.eventexecutor.workers} would be one meter, registered twice.
     */
    public void bindEventLoops(String name, EventLoopGroup group) {
        new NettyEventExecutorMetrics(group, Tags.of("group", name)).bindTo(registry);
    }

    /** The Prometheus text exposition format 0.0.4 of every meter. CPU only: fine on an event loop. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
