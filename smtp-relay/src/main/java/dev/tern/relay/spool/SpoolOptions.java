package dev.tern.relay.spool;

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
 */
public record SpoolOptions(
        long segmentSize,
        int maxBatch,
        long maxBatchBytes,
        long maxQueuedBytes,
        SpoolStorage storage,
        SpoolListener listener) {

    public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
    public static final int DEFAULT_MAX_BATCH = 512;
    public static final long DEFAULT_MAX_BATCH_BYTES = 16L << 20;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 256L << 20;

    public SpoolOptions {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(listener, "listener");
        if (segmentSize <= 0 || maxBatch <= 0 || maxBatchBytes <= 0 || maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("spool sizes and limits must be positive");
        }
    }

    /** The defaults: 64 MiB segments, batches of up to 512 records or 16 MiB, 256 MiB queued. */
    public static SpoolOptions defaults() {
        return new SpoolOptions(
                DEFAULT_SEGMENT_SIZE,
                DEFAULT_MAX_BATCH,
                DEFAULT_MAX_BATCH_BYTES,
                DEFAULT_MAX_QUEUED_BYTES,
                SpoolStorage.files(),
                SpoolListener.NONE);
    }

    public SpoolOptions withSegmentSize(long bytes) {
        return new SpoolOptions(bytes, maxBatch, maxBatchBytes, maxQueuedBytes, storage, listener);
    }

    public SpoolOptions withMaxBatch(int records, long bytes) {
        return new SpoolOptions(segmentSize, records, bytes, maxQueuedBytes, storage, listener);
    }

    public SpoolOptions withMaxQueuedBytes(long bytes) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, bytes, storage, listener);
    }

    public SpoolOptions withStorage(SpoolStorage newStorage) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, newStorage, listener);
    }

    public SpoolOptions withListener(SpoolListener newListener) {
        return new SpoolOptions(segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, storage, newListener);
    }
}
