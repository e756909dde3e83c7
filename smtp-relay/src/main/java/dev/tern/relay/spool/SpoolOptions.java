package dev.tern.relay.spool;

import java.time.Clock;
import java.util.Objects;

/**
 * How the spool writes.
 *
 * @param segmentSize a segment past this many bytes is closed and a new one started
 * @param maxBatch the most records forced together (group commit)
 * @param maxBatchBytes the most bytes forced together
 * @param maxQueuedBytes the most message bytes waiting for the writer; past it {@code enqueue} fails
 *     at once with a temporary error instead of growing the heap
 * @param storage how segment files are opened, appended and forced
 * @param listener metrics hooks, called on the writer thread
 * @param clock stamps each message's arrival and its queue id: the delivery queue reckons ages and
 *     retries with the same clock
 */
public record SpoolOptions(
        long segmentSize,
        int maxBatch,
        long maxBatchBytes,
        long maxQueuedBytes,
        SpoolStorage storage,
        SpoolListener listener,
        Clock clock) {

    public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
    public static final int DEFAULT_MAX_BATCH = 512;
    public static final long DEFAULT_MAX_BATCH_BYTES = 16L << 20;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 256L << 20;

    public SpoolOptions {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        if (segmentSize <= 0 || maxBatch <= 0 || maxBatchBytes <= 0 || maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("spool sizes and limits must be positive");
        }
    }

    /** The defaults: 64 MiB segments, batches of up to 512 records or 16 MiB, 256 MiB queued, UTC system time. */
    public static SpoolOptions defaults() {
        return new SpoolOptions(
                DEFAULT_SEGMENT_SIZE,
                DEFAULT_MAX_BATCH,
                DEFAULT_MAX_BATCH_BYTES,
                DEFAULT_MAX_QUEUED_BYTES,
                SpoolStorage.files(),
                SpoolListener.NONE,
                Clock.systemUTC());
    }

    public SpoolOptions withSegmentSize(long bytes) {
        return new SpoolOptions(bytes, maxBatch, maxBatchBytes, maxQueuedBytes, storage, listener, clock);
    }

    public SpoolOptions withMaxBatch(int records, long bytes) {
        return new SpoolOptions(segmentSize, records, bytes, maxQueuedBytes, storage, listener, clock);
    }

    public SpoolOptions withMaxQueuedBytes(long bytes) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, bytes, storage, listener, clock);
    }

    public SpoolOptions withStorage(SpoolStorage newStorage) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, newStorage, listener, clock);
    }

    public SpoolOptions withClock(Clock newClock) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, storage, listener, newClock);
    }

    public SpoolOptions withListener(SpoolListener newListener) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, storage, newListener, clock);
    }
}
