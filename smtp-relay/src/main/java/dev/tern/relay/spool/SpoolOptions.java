package dev.tern.relay.spool;

import java.time.Clock;
import java.time.Duration;
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
 * @param commitDelay the longest a batch of messages is held back, while transactions are open, for the
 *     messages they are about to hand over (zero: never); never for a batch of {@link
 *     #COMMIT_DELAY_MAX_BYTES} or more, nor with no transaction open
 */
public record SpoolOptions(
        long segmentSize,
        int maxBatch,
        long maxBatchBytes,
        long maxQueuedBytes,
        long preallocation,
        SpoolStorage storage,
        SpoolListener listener,
        Clock clock,
        Duration commitDelay) {

    public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
    public static final int DEFAULT_MAX_BATCH = 512;
    public static final long DEFAULT_MAX_BATCH_BYTES = 16L << 20;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 256L << 20;
    public static final long DEFAULT_PREALLOCATION = 4L << 20;
    public static final Duration DEFAULT_COMMIT_DELAY = Duration.ofMillis(1);
    /**
     * A batch this large is forced at once: its flush is mostly the data's own writing, which waiting for
     * more messages would not share.
     */
    public static final long COMMIT_DELAY_MAX_BYTES = 256L << 10;

    public SpoolOptions {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(commitDelay, "commitDelay");
        if (commitDelay.isNegative()) {
            throw new IllegalArgumentException("commit delay must not be negative");
        }
        if (segmentSize <= 0 || maxBatch <= 0 || maxBatchBytes <= 0 || maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("spool sizes and limits must be positive");
        }
        if (preallocation < 0) {
            throw new IllegalArgumentException("preallocation must not be negative");
        }
    }

    /**
     * The defaults: 64 MiB segments written with zeros 4 MiB ahead, batches of up to 512 records or 16 MiB,
     * 256 MiB queued, UTC system time, a commit delay of 1 ms.
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
                Clock.systemUTC(),
                DEFAULT_COMMIT_DELAY);
    }

    public SpoolOptions withSegmentSize(long bytes) {
        return new SpoolOptions(
                bytes, maxBatch, maxBatchBytes, maxQueuedBytes, preallocation, storage, listener, clock, commitDelay);
    }

    public SpoolOptions withMaxBatch(int records, long bytes) {
        return new SpoolOptions(
                segmentSize, records, bytes, maxQueuedBytes, preallocation, storage, listener, clock, commitDelay);
    }

    public SpoolOptions withMaxQueuedBytes(long bytes) {
        return new SpoolOptions(
                segmentSize, maxBatch, maxBatchBytes, bytes, preallocation, storage, listener, clock, commitDelay);
    }

    public SpoolOptions withPreallocation(long bytes) {
        return new SpoolOptions(
                segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, bytes, storage, listener, clock, commitDelay);
    }

    public SpoolOptions withStorage(SpoolStorage newStorage) {
        return new SpoolOptions(
                segmentSize,
                maxBatch,
                maxBatchBytes,
                maxQueuedBytes,
                preallocation,
                newStorage,
                listener,
                clock,
                commitDelay);
    }

    public SpoolOptions withClock(Clock newClock) {
        return new SpoolOptions(
                segmentSize,
                maxBatch,
                maxBatchBytes,
                maxQueuedBytes,
                preallocation,
                storage,
                listener,
                newClock,
                commitDelay);
    }

    public SpoolOptions withListener(SpoolListener newListener) {
        return new SpoolOptions(
                segmentSize,
                maxBatch,
                maxBatchBytes,
                maxQueuedBytes,
                preallocation,
                storage,
                newListener,
                clock,
                commitDelay);
    }

    public SpoolOptions withCommitDelay(Duration delay) {
        return new SpoolOptions(
                segmentSize, maxBatch, maxBatchBytes, maxQueuedBytes, preallocation, storage, listener, clock, delay);
    }
}
