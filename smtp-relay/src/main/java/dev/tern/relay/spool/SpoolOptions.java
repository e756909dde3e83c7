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
 * @param preallocation how far ahead of its records a segment's file is written with zeros (0: not at
 *     all), so that most group commits flush data without the file's metadata (its size and
 *     block map)
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
        long preallocation,
        SpoolStorage storage,
        SpoolListener listener,
        Clock clock) {

    public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
    public static final int DEFAULT_MAX_BATCH = 512;
    public static final long DEFAULT_MAX_BATCH_BYTES = 16L << 20;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 256L << 20;
    public static final long DEFAULT_PREALLOCATION = 4L << 20;

    public SpoolOptions {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        if (segmentSize <= 0 || maxBatch <= 0 || maxBatchBytes <= 0 || maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("spool sizes and limits must be positive");
        }
        if (preallocation < 0) {
            throw new IllegalArgumentException("preallocation must not be negative");
        }
    }

    /**
     * The defaults: 64 MiB segments written with zeros 4 MiB ahead, batches of up to 512 records or 16 MiB,
     * 256 MiB queued, UTC system time.
     */
    public static SpoolOptions defaults() {
        return new SpoolOptions(
                DEFAULT_SEGMENT_SIZE,
                DEFAULT_MAX_BATCH,
                DEFAULT_MAX_BATCH_BYTES,
                DEFAULT_MAX_QUEUED_BYTES,
                DEFAULT_PREALLOCATION,
                SpoolStorage.files(),
                SpoolListener.NONE,
                Clock.systemUTC());
    }

    public SpoolOptions withSegmentSize(long bytes) {
        return new SpoolOptions(
                bytes, maxBatch, maxBatchBytes, maxQueuedBytes, preallocation, storage, listener, clock);
    }

    public SpoolOptions withMaxBatch(int records, long bytes) {
        return new SpoolOptions(segmentSize, records, bytes, maxQueuedBytes, preallocation, storage, listener, clock);
    }

    public SpoolOptions withMaxQueuedBytes(long bytes) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, bytes, preallocation, storage, listener, clock);
    }

    public SpoolOptions withPreallocation(long bytes) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, bytes, storage, listener, clock);
    }

    public SpoolOptions withStorage(SpoolStorage newStorage) {
        return new SpoolOptions(
                segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, preallocation, newStorage, listener, clock);
    }

    public SpoolOptions withClock(Clock newClock) {
        return new SpoolOptions(
                segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, preallocation, storage, listener, newClock);
    }

    public SpoolOptions withListener(SpoolListener newListener) {
        return new SpoolOptions(
                segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, preallocation, storage, newListener, clock);
    }
}
