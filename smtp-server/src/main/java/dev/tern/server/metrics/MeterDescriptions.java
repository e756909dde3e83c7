package dev.tern.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * Descriptions for the meters Micrometer's Netty binders register without one, which Prometheus prints with
 * an empty HELP ({@code promtool check metrics}: "no help text"); in the words of docs/metrics.md. A meter
 * that has a description keeps it.
 */
final class MeterDescriptions implements MeterFilter {
    private static final Map<String, String> MISSING = Map.of(
            "netty.allocator.memory.used", "Memory held by Netty's default buffer allocator",
            "netty.eventexecutor.tasks.pending", "Tasks queued on the event loop");

    @Override
    public Meter.Id map(Meter.Id id) {
        String description = MISSING.get(id.getName());
        if (description == null
                || id.getDescription() != null && !id.getDescription().isBlank()) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), description, id.getType());
    }
}
