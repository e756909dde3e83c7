package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What readiness reads of the spool writer: a failed batch for a while, a stopped writer for good. */
class SpoolMetersTest {
    private static final Duration WINDOW = Duration.ofSeconds(30);

    @Test
    void aFailedBatchIsNotReadyForAWhileAStoppedWriterForGood() {
        SpoolMeters meters = new SpoolMeters();
        meters.bindTo(new SimpleMeterRegistry());
        AtomicInteger told = new AtomicInteger();
        meters.whenWriterStops(told::incrementAndGet);
        long now = System.nanoTime();

        assertThat(meters.writable(now, WINDOW)).isTrue();
        meters.batchFailed(3, new java.io.IOException("No space left on device"));
        assertThat(meters.writable(System.nanoTime(), WINDOW)).isFalse();
        assertThat(meters.writable(System.nanoTime() + WINDOW.toNanos() + 1, WINDOW))
                .isTrue();

        meters.writerStopped(new OutOfMemoryError("Cannot reserve direct buffer memory (test)"));
        assertThat(told).hasValue(1);
        meters.batchWritten(1, 100, 1_000); // nothing is written after a stop; were it, it would not heal
        assertThat(meters.writable(System.nanoTime() + 10 * WINDOW.toNanos(), WINDOW))
                .isFalse();
    }
}
