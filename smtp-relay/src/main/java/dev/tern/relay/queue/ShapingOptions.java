package dev.tern.relay.queue;

import dev.tern.relay.metrics.DeliveryMetrics;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What the queue's traffic shaping is given.
 *
 * @param policy the rules (see docs/shaping.md)
 * @param suspensionsFile where manual suspensions are kept across restarts, or null for nowhere
 * @param io writes that file: a thread that may block (never an event loop, never the queue's thread)
 * @param metrics counts suspensions, concurrency changes and messages deferred by suspensions
 */
public record ShapingOptions(ShapingPolicy policy, Path suspensionsFile, Executor io, DeliveryMetrics metrics) {

    /** The default policy, nothing kept on disk, nothing counted. */
    public static final ShapingOptions DEFAULT =
            new ShapingOptions(ShapingPolicy.DEFAULT, null, Runnable::run, DeliveryMetrics.NOOP);

    public ShapingOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(metrics, "metrics");
    }
}
