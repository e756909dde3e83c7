package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueException;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

    /** A batch that extends its segment by this much grows the file itself, with no zeros written ahead. */
    static final long OWN_EXTENSION = 256L << 10;

    /** A batch whose messages are this large on average is one of large messages (see {@link #largeMessages}). */
    static final long LARGE_RECORD = 64L << 10;

    private final SpoolOptions options;
    private final SpoolIndex index;
    private final LinkedBlockingQueue<SpoolOp> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Object submitLock = new Object();
    private final QueueIdGenerator ids;
    private final BatchEncoder encoder = new BatchEncoder();
    private final OverlappedFlush flush = new OverlappedFlush();
    private final SegmentRoller segments;
    private final SegmentReaders readers;
    private final Thread thread;
    private final List<WriterHandOff> handOffs = new CopyOnWriteArrayList<>();
    /** The transactions whose messages a batch may wait for (the commit delay). */
    final Arrivals arrivals = new Arrivals();

    private boolean closed; // guarded by submitLock

    /**
     * Delivery states, holds and DONE records whose batch failed (a full disk), oldest first: written again
     * ahead of the next batch, or alone after {@link #RETRY_NANOS}, until they reach the disk. Writer thread only.
     */
    private final List<SpoolOp> unwritten = new ArrayList<>();

    /** How long records that failed wait for a batch to ride with before they are written again alone. */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    SpoolWriter(
            Path directory,
            SpoolOptions options,
            SpoolIndex index,
            SpoolRecovery.Recovered recovered,
            SegmentReaders readers) {
        this.options = options;
        this.index = index;
        this.ids = new QueueIdGenerator(options.clock()::millis, new SecureRandom());
        this.readers = readers;
        this.segments = new SegmentRoller(directory, options, index, recovered, readers);
        this.thread = new Thread(this, "tern-spool-writer");
        // A daemon: an unfinished batch at exit was never acknowledged, so nothing accepted is lost.
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * An executor for the dependents of this writer's stages that hop to {@code target}: what this thread
     * hands over while completing a batch reaches {@code target} as one task once the batch is done.
     */
    Executor handOff(Executor target) {
        WriterHandOff handOff = new WriterHandOff(target, thread);
        handOffs.add(handOff);
        return handOff;
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

    CompletableFuture<Void> submitHold(QueueId id, boolean held) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        offer(new SpoolOp.Hold(id, held, result));
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
        arrivals.release(); // a batch waiting for open transactions is written now
        if (Thread.currentThread() != thread) {
            thread.join();
        }
    }

    @Override
    public void run() {
        List<SpoolOp> batch = new ArrayList<>();
        boolean stopping = false;
        try {
            segments.compact(); // segments that finished before the last stop
            while (!stopping) {
                batch.clear();
                long bytes = 0;
                boolean waited = false;
                SpoolOp op;
                int again = unwritten.size();
                if (again == 0) {
                    op = queue.take();
                } else {
                    // Ahead of anything newer about the same messages, so that replay applies them in order.
                    op = queue.poll(RETRY_NANOS, TimeUnit.NANOSECONDS);
                    batch.addAll(unwritten);
                    bytes += 64L * again;
                    unwritten.clear();
                }
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
                    if (op == null && !waited && waitsForArrivals(bytes)) {
                        // Group commit: the messages of the transactions still open share this flush, and so do
                        // the delivery states and removals of a batch that holds nothing else (while mail is
                        // relayed, each would otherwise take a flush of its own between the messages').
                        waited = true;
                        long since = System.nanoTime();
                        arrivals.await(options.commitDelay().toNanos());
                        options.listener().batchWaited(System.nanoTime() - since);
                        op = queue.poll();
                    }
                }
                if (!batch.isEmpty()) {
                    if (writeBatchGuarded(batch) && again > 0) {
                        LOG.info("spool: wrote {} delivery records that had failed to be written before", again);
                    }
                    flushHandOffs();
                    relocate();
                }
            }
        } catch (InterruptedException e) {
            // Nothing interrupts this thread but a shutdown gone wrong: refuse new work, fail what waits.
            Thread.currentThread().interrupt();
            refuseFromNowOn(new QueueException("spool writer interrupted", true, e));
        } catch (RuntimeException | Error e) {
            // A fault of the writer itself (direct memory exhausted, a bug): nothing more will be written, so
            // every waiting caller gets a temporary failure now rather than never, and the server is told.
            LOG.error("spool: the writer stopped on an unexpected error; no mail can be taken from now on", e);
            QueueException failure = new QueueException("spool writer stopped", true, e);
            for (SpoolOp op : batch) {
                op.fail(failure); // its content may be written or released already: only the caller is told
            }
            refuseFromNowOn(failure);
            options.listener().writerStopped(e);
        } finally {
            flushHandOffs(); // before retiring, which may throw: what the failed stages handed over still goes on
            segments.retire();
            encoder.close();
            flush.close();
        }
    }

    /** Closes the writer to new work and fails what is queued. */
    private void refuseFromNowOn(QueueException failure) {
        synchronized (submitLock) {
            closed = true;
        }
        for (SpoolOp op; (op = queue.poll()) != null; ) {
            release(op);
            op.fail(failure);
        }
    }

    /**
     * Writes the unfinished messages that keep the oldest segments on disk again, when the roller names any
     * ({@link SegmentRoller#relocations}): a message held or deferred for days would otherwise keep every segment
     * written after its own, the mail of those days, on disk until it finishes. Each goes as a message record with
     * its id and arrival time, then its recipients' states and its hold as they are on disk now, in one batch of
     * their own; once that batch is forced the message lives in the new place, and the old segment goes as soon as
     * nothing else there is unfinished. Replay keeps the first record of an id, so a restart before the old segment
     * is deleted reads the message from there, and one after it from here, with every state recorded since.
     */
    private void relocate() {
        List<SpooledMessage> pinning = segments.relocations();
        if (pinning.isEmpty()) {
            return;
        }
        List<SpoolOp> ops = new ArrayList<>();
        for (SpooledMessage m : pinning) {
            ByteBuf content;
            try {
                content = readers.read(m.segment(), m.contentOffset(), m.contentLength(), m.id());
            } catch (IOException e) {
                LOG.warn(
                        "spool: id={} could not be read to be written again; its segment stays: {}",
                        m.id(),
                        e.toString());
                continue;
            }
            ops.add(new SpoolOp.Relocate(m, content));
            for (int r = 0; r < m.states().size(); r++) {
                RecipientState state = m.states().get(r);
                if (state != RecipientState.PENDING) {
                    ops.add(new SpoolOp.State(m.id(), r, state, new CompletableFuture<>()));
                }
            }
            if (m.held()) {
                ops.add(new SpoolOp.Hold(m.id(), true, new CompletableFuture<>()));
            }
        }
        if (!ops.isEmpty() && writeBatchGuarded(ops)) {
            LOG.info(
                    "spool: wrote {} unfinished message(s) of segment {} again, so that it can go",
                    pinning.size(),
                    pinning.get(0).segment());
        }
    }

    /**
     * Whether a batch, {@code bytes} long with nothing more queued, waits for the messages of transactions
     * still open: only while some are, and only when it is small enough that its flush is mostly the flush's
     * own cost, which they would share. A batch of delivery states and removals alone waits too: while mail
     * is relayed, its flush would otherwise come between two of the messages' flushes.
     */
    private boolean waitsForArrivals(long bytes) {
        return !options.commitDelay().isZero() && bytes < SpoolOptions.COMMIT_DELAY_MAX_BYTES && arrivals.expected();
    }

    private void flushHandOffs() {
        for (WriterHandOff handOff : handOffs) {
            handOff.flush();
        }
    }

    /**
     * Keeps the segment's file written with zeros ahead of its records, {@code preallocation} at a time and
     * never past the segment size unless a batch needs it: the force of a batch that lands on such blocks
     * flushes its data alone, where one that grows the file must write the file's new size and block map as
     * well (on ext4 here about three times the time and CPU). Only the force of the batch that extends the
     * file pays that. A batch that reaches {@link #OWN_EXTENSION} or more past the zeros grows the file with
     * its own records instead: zeros written for it would be copied into the page cache and flushed to the
     * disk only to be overwritten and flushed again, which for large messages costs more than the one
     * flush of the file's size.
     */
    private void preallocate(ActiveSegment active, long end) throws IOException {
        if (end <= active.allocated || options.preallocation() == 0 || end - active.allocated >= OWN_EXTENSION) {
            return;
        }
        long target = Math.max(end, Math.min(end + options.preallocation(), options.segmentSize()));
        active.file.preallocate(target);
        active.allocated = target;
    }

    /**
     * Whether a batch holds large messages: {@link #LARGE_RECORD} or more a message, on average (the few bytes
     * of its delivery states and removals, written with it, do not dilute that). Their records go around the
     * page cache ({@link SpoolStorage.Segment#appendLarge}); those of small messages stay in it, where their
     * delivery finds them without a read from the disk.
     */
    static boolean largeMessages(List<SpoolOp> batch, long bytes) {
        long messages = 0;
        for (SpoolOp op : batch) {
            if (op instanceof SpoolOp.Message) {
                messages++;
            }
        }
        return messages > 0 && bytes >= messages * LARGE_RECORD;
    }

    /** A bug in writing one batch must not stop the writer: every later caller would hang. True once written. */
    private boolean writeBatchGuarded(List<SpoolOp> batch) {
        try {
            return writeBatch(batch);
        } catch (RuntimeException e) {
            LOG.error("spool: unexpected failure in the writer", e);
            for (SpoolOp op : batch) {
                op.fail(new QueueException("spool writer failed", true, e));
            }
            return false;
        }
    }

    private boolean writeBatch(List<SpoolOp> batch) {
        long start = System.nanoTime();
        ActiveSegment active;
        long before;
        BatchEncoder.Encoded encoded;
        try {
            active = segments.current();
            before = active.size;
            encoded = encoder.encode(batch, ids, active.nonce, before);
            try {
                preallocate(active, encoded.end());
                // Group commit: one force for every record of the batch, and no stage completes before it.
                flush.appendAndForce(active.file, encoded.buffers(), largeMessages(batch, encoded.end() - before));
            } catch (IOException e) {
                segments.rollBack(before, e);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            releaseAll(batch);
            LOG.error("spool: writing a batch of {} records failed: {}", batch.size(), e.toString());
            QueueException failure = new QueueException("spool write failed: " + e.getMessage(), true, e);
            boolean finished = false;
            for (SpoolOp op : batch) {
                SpoolOp again = op.again();
                if (again != null) {
                    unwritten.add(again);
                }
                if (op instanceof SpoolOp.Done d) {
                    // Finished in memory already: a segment of finished messages alone may go now, which is
                    // what frees a disk the spool itself filled (its messages' records go with the file).
                    finished |= index.applyDone(d.id());
                }
            }
            if (finished) {
                segments.compact();
            }
            // The callers hear of the failure once the spool is as it stays.
            for (SpoolOp op : batch) {
                op.fail(failure);
            }
            notifyFailed(batch.size(), e);
            return false;
        }
        active.size = encoded.end();
        active.allocated = Math.max(active.allocated, active.size); // a large batch grew the file itself
        boolean finished;
        try {
            finished = apply(batch, encoded, active.seq);
        } finally {
            releaseAll(batch);
        }
        complete(batch, encoded);
        notifyWritten(batch.size(), encoded.end() - before, System.nanoTime() - start);
        if (finished) {
            segments.compact();
        }
        return true;
    }

    private boolean apply(List<SpoolOp> batch, BatchEncoder.Encoded encoded, long segment) {
        boolean finished = false;
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case SpoolOp.Message m ->
                    index.addMessage(
                            encoded.ids()[i],
                            m.arrivalMillis(),
                            m.envelope(),
                            segment,
                            encoded.contentOffsets()[i],
                            encoded.contentLengths()[i]);
                case SpoolOp.Relocate r ->
                    finished |= index.relocate(
                            r.message().id(),
                            r.message().segment(),
                            segment,
                            encoded.contentOffsets()[i],
                            encoded.contentLengths()[i]);
                case SpoolOp.State s -> index.applyState(s.id(), s.recipient(), s.state());
                case SpoolOp.Done d -> finished |= index.applyDone(d.id());
                case SpoolOp.Hold h -> index.applyHold(h.id(), h.held());
                case SpoolOp.Stop stop -> {}
            }
        }
        return finished;
    }

    private static void complete(List<SpoolOp> batch, BatchEncoder.Encoded encoded) {
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case SpoolOp.Message m -> m.result().complete(encoded.ids()[i]);
                case SpoolOp.Relocate r -> {}
                case SpoolOp.State s -> s.result().complete(null);
                case SpoolOp.Done d -> d.result().complete(null);
                case SpoolOp.Hold h -> h.result().complete(null);
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
        if (op instanceof SpoolOp.Relocate r) {
            r.content().release(); // read by the writer itself: never counted as queued
        } else if (op instanceof SpoolOp.Message m) {
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
}
