package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueException;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that appends to the spool. Callers hand it ops without blocking; it drains what is
 * waiting (up to the batch limits), appends every record with one gathering write, forces the file
 * once for the whole batch (group commit), updates the index, and only then completes the callers'
 * stages. Stages complete on this thread: dependents must hop to their own executor for real work.
 */
final class SpoolWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);

    /** Content beyond this cannot be described by a record's u32 length with its metadata. */
    static final int MAX_CONTENT = Integer.MAX_VALUE - (1 << 20);

    private final Path directory;
    private final SpoolOptions options;
    private final SpoolIndex index;
    private final LinkedBlockingQueue<SpoolOp> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Object submitLock = new Object();
    private final SecureRandom random = new SecureRandom();
    private final QueueIdGenerator ids = new QueueIdGenerator(System::currentTimeMillis, random);
    private final BatchEncoder encoder = new BatchEncoder();
    private final Thread thread;
    private boolean closed; // guarded by submitLock
    private ActiveSegment active;
    private long nextSeq;

    SpoolWriter(Path directory, SpoolOptions options, SpoolIndex index, SpoolRecovery.Recovered recovered) {
        this.directory = directory;
        this.options = options;
        this.index = index;
        this.active = recovered.active();
        this.nextSeq = recovered.nextSeq();
        this.thread = new Thread(this, "tern-spool-writer");
    }

    void start() {
        thread.start();
    }

    CompletableFuture<QueueId> submitMessage(Envelope envelope, ByteBuf content, long arrivalMillis) {
        CompletableFuture<QueueId> result = new CompletableFuture<>();
        int length = content.readableBytes();
        if (length > MAX_CONTENT) {
            content.release();
            result.completeExceptionally(new QueueException("message too large for the spool", false, null));
            return result;
        }
        if (queuedBytes.addAndGet(length) > options.maxQueuedBytes()) {
            // Fail fast: an unbounded backlog in memory would only move the outage to the heap.
            queuedBytes.addAndGet(-length);
            content.release();
            result.completeExceptionally(new QueueException("spool writer is behind, try again later", true, null));
            return result;
        }
        if (!offer(new SpoolOp.Message(envelope, content, arrivalMillis, result))) {
            queuedBytes.addAndGet(-length);
            content.release();
        }
        return result;
    }

    CompletableFuture<Void> submitState(QueueId id, int recipient, RecipientState state) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        offer(new SpoolOp.State(id, recipient, state, result));
        return result;
    }

    CompletableFuture<Void> submitDone(QueueId id) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        offer(new SpoolOp.Done(id, result));
        return result;
    }

    /** Queues {@code op}, or fails it when the spool is closed; Stop is always the last op queued. */
    private boolean offer(SpoolOp op) {
        synchronized (submitLock) {
            if (!closed) {
                queue.add(op);
                return true;
            }
        }
        op.fail(new QueueException("spool is closed", true, null));
        return false;
    }

    /** Writes everything queued before this call, then stops the thread and closes the segment. */
    void close() throws InterruptedException {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(SpoolOp.Stop.INSTANCE);
        }
        if (Thread.currentThread() != thread) {
            thread.join();
        }
    }

    @Override
    public void run() {
        List<SpoolOp> batch = new ArrayList<>();
        boolean stopping = false;
        try {
            while (!stopping) {
                batch.clear();
                long bytes = 0;
                SpoolOp op = queue.take();
                while (op != null) {
                    if (op == SpoolOp.Stop.INSTANCE) {
                        stopping = true;
                        break;
                    }
                    batch.add(op);
                    bytes += op instanceof SpoolOp.Message m ? m.content().readableBytes() : 64;
                    if (batch.size() >= options.maxBatch() || bytes >= options.maxBatchBytes()) {
                        break;
                    }
                    op = queue.poll();
                }
                if (!batch.isEmpty()) {
                    writeBatchGuarded(batch);
                }
            }
        } catch (InterruptedException e) {
            // Nothing interrupts this thread but a shutdown gone wrong: refuse new work, fail what waits.
            Thread.currentThread().interrupt();
            synchronized (submitLock) {
                closed = true;
            }
            QueueException failure = new QueueException("spool writer interrupted", true, e);
            for (SpoolOp op; (op = queue.poll()) != null; ) {
                release(op);
                op.fail(failure);
            }
        } finally {
            retireActive();
            encoder.close();
        }
    }

    /** A bug in writing one batch must not stop the writer: every later caller would hang. */
    private void writeBatchGuarded(List<SpoolOp> batch) {
        try {
            writeBatch(batch);
        } catch (RuntimeException e) {
            LOG.error("spool: unexpected failure in the writer", e);
            for (SpoolOp op : batch) {
                op.fail(new QueueException("spool writer failed", true, e));
            }
        }
    }

    private void writeBatch(List<SpoolOp> batch) {
        long start = System.nanoTime();
        long before;
        BatchEncoder.Encoded encoded;
        try {
            ensureActive();
            before = active.size;
            encoded = encoder.encode(batch, ids, active.nonce, before);
            try {
                active.file.append(encoded.buffers());
                // Group commit: one force for every record of the batch, and no stage completes before it.
                active.file.force();
            } catch (IOException e) {
                rollBack(before, e);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            releaseAll(batch);
            LOG.error("spool: writing a batch of {} records failed: {}", batch.size(), e.toString());
            QueueException failure = new QueueException("spool write failed: " + e.getMessage(), true, e);
            for (SpoolOp op : batch) {
                op.fail(failure);
            }
            notifyFailed(batch.size(), e);
            return;
        }
        active.size = encoded.end();
        boolean finished;
        try {
            finished = apply(batch, encoded);
        } finally {
            releaseAll(batch);
        }
        complete(batch, encoded);
        notifyWritten(batch.size(), encoded.end() - before, System.nanoTime() - start);
        if (finished) {
            compact();
        }
    }

    /**
     * Removes a failed batch's bytes so no half-written record stays. The segment is retired either
     * way: after a failed write or force its unforced pages cannot be trusted, and if the cut failed
     * too, replay's checks skip the garbage at its end.
     */
    private void rollBack(long before, IOException cause) {
        try {
            active.file.truncate(before);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        retireActive();
    }

    private boolean apply(List<SpoolOp> batch, BatchEncoder.Encoded encoded) {
        boolean finished = false;
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case SpoolOp.Message m ->
                    index.addMessage(
                            encoded.ids()[i],
                            m.arrivalMillis(),
                            m.envelope(),
                            active.seq,
                            encoded.contentOffsets()[i],
                            encoded.contentLengths()[i]);
                case SpoolOp.State s -> index.applyState(s.id(), s.recipient(), s.state());
                case SpoolOp.Done d -> finished |= index.applyDone(d.id());
                case SpoolOp.Stop stop -> {}
            }
        }
        return finished;
    }

    private static void complete(List<SpoolOp> batch, BatchEncoder.Encoded encoded) {
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case SpoolOp.Message m -> m.result().complete(encoded.ids()[i]);
                case SpoolOp.State s -> s.result().complete(null);
                case SpoolOp.Done d -> d.result().complete(null);
                case SpoolOp.Stop stop -> {}
            }
        }
    }

    private void releaseAll(List<SpoolOp> batch) {
        for (SpoolOp op : batch) {
            release(op);
        }
    }

    private void release(SpoolOp op) {
        if (op instanceof SpoolOp.Message m) {
            try {
                queuedBytes.addAndGet(-m.content().readableBytes());
                m.content().release();
            } catch (RuntimeException e) {
                // The caller released a buffer it had handed over: a bug there, but not a reason to stop writing.
                LOG.error("spool: content buffer was already released", e);
            }
        }
    }

    private void notifyFailed(int records, Throwable cause) {
        try {
            options.listener().batchFailed(records, cause);
        } catch (RuntimeException e) {
            LOG.warn("spool: listener failed", e);
        }
    }

    private void notifyWritten(int records, long bytes, long nanos) {
        try {
            options.listener().batchWritten(records, bytes, nanos);
        } catch (RuntimeException e) {
            LOG.warn("spool: listener failed", e);
        }
    }

    /** Rolls to a new segment when there is none or the current one is full. */
    private void ensureActive() throws IOException {
        if (active != null && active.size >= options.segmentSize()) {
            retireActive();
        }
        if (active == null) {
            active = createSegment(nextSeq++);
            index.addSegment(active.seq);
            compact();
        }
    }

    private ActiveSegment createSegment(long seq) throws IOException {
        Path file = directory.resolve(RecordFormat.fileName(seq));
        long nonce = random.nextLong();
        SpoolStorage.Segment segment = options.storage().open(file);
        try {
            segment.truncate(0);
            segment.append(new ByteBuffer[] {RecordFormat.segmentHeader(nonce)});
            segment.force();
            return new ActiveSegment(seq, segment, nonce, RecordFormat.SEGMENT_HEADER_SIZE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(segment);
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private void retireActive() {
        if (active != null) {
            closeQuietly(active.file);
            active = null;
        }
    }

    /** Deletes the oldest segments once every message stored in them is finished. */
    private void compact() {
        long activeSeq = active == null ? Long.MAX_VALUE : active.seq;
        for (long seq : index.takeFinishedSegments(activeSeq)) {
            Path file = directory.resolve(RecordFormat.fileName(seq));
            try {
                Files.deleteIfExists(file);
                LOG.debug("spool: deleted finished segment {}", file);
            } catch (IOException e) {
                LOG.warn("spool: could not delete finished segment {}: {}", file, e.toString());
            }
        }
    }

    private static void closeQuietly(SpoolStorage.Segment segment) {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.warn("spool: closing a segment failed: {}", e.toString());
        }
    }
}
