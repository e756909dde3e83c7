package dev.tern.server.metrics;

import dev.tern.relay.spool.SpoolListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The spool writer's meters (group-commit latency and batch size), fed by its {@link SpoolListener}
 * hook on the writer thread. Also remembers whether the last batch failed, which readiness reads.
 */
public final class SpoolMeters implements SpoolListener, MeterBinder {
    private Timer writes;
    private Timer waits;
    private DistributionSummary batchRecords;
    private DistributionSummary batchBytes;
    private Counter failures;
    /** System.nanoTime() of the last failed batch, 0 after a batch succeeded (or none failed). */
    private volatile long failedSinceNanos;
    /** The writer stopped for good: nothing will be written until the spool is opened again. */
    private volatile boolean stopped;
    /** Told once the writer has stopped, on the writer's thread. */
    private volatile Runnable whenStopped = () -> {};

    @Override
    public void bindTo(MeterRegistry registry) {
        writes = Timer.builder("tern.spool.write")
                .description("Time to append and force one group-commit batch")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        waits = Timer.builder("tern.spool.commit.wait")
                .description("Time a group-commit batch waited for the messages of transactions still open")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofMillis(100))
                .register(registry);
        batchRecords = DistributionSummary.builder("tern.spool.batch.size")
                .description("Records per group-commit batch")
                .baseUnit("records")
                .register(registry);
        batchBytes = DistributionSummary.builder("tern.spool.batch.bytes")
                .description("Octets per group-commit batch")
                .baseUnit("bytes")
                .register(registry);
        failures = Counter.builder("tern.spool.write.failures")
                .description("Batches that could not be written or forced (every caller got 4xx)")
                .register(registry);
    }

    @Override
    public void batchWritten(int records, long bytes, long nanos) {
        writes.record(nanos, TimeUnit.NANOSECONDS);
        batchRecords.record(records);
        batchBytes.record(bytes);
        failedSinceNanos = 0;
    }

    @Override
    public void batchWaited(long nanos) {
        waits.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchFailed(int records, Throwable cause) {
        failures.increment();
        long now = System.nanoTime();
        failedSinceNanos = now == 0 ? 1 : now;
    }

    @Override
    public void writerStopped(Throwable cause) {
        stopped = true;
        whenStopped.run();
    }

    /** Runs {@code action} on the writer's thread should the writer stop for good. */
    public void whenWriterStops(Runnable action) {
        whenStopped = action;
    }

    /**
     * The spool counts as writable unless its writer stopped, or the last batch failed less than {@code window}
     * ago. After the window, readiness comes back so that new traffic can show whether the disk recovered.
     */
    public boolean writable(long nowNanos, Duration window) {
        long failed = failedSinceNanos;
        return !stopped && (failed == 0 || nowNanos - failed > window.toNanos());
    }
}
