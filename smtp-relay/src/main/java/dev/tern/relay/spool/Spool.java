package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.QueueException;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The durable spool: a {@link MailQueue} whose stages complete only once the message is forced to
 * disk (RFC 5321 6.1: after 250 the message must not be lost), plus the per-recipient delivery
 * state the relay records as it works. One process owns a spool directory at a time.
 *
 * <p>Writes never block the caller; {@link #readContent} and {@link #close} do, so call them off
 * event loops. Stages complete on the writer thread.
 */
public final class Spool implements MailQueue, AutoCloseable {

    private static final String LOCK_FILE = "lock";

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SpoolIndex index;
    private final SpoolWriter writer;
    private final SegmentReaders readers;
    private final Clock clock;

    private Spool(
            FileChannel lockChannel,
            FileLock lock,
            SpoolIndex index,
            SpoolWriter writer,
            SegmentReaders readers,
            Clock clock) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.index = index;
        this.writer = writer;
        this.readers = readers;
        this.clock = clock;
    }

    /**
     * Opens (or creates) the spool in {@code directory}: takes its lock, replays every segment and
     * starts the writer.
     *
     * @throws SpoolInUseException when another process holds the spool
     * @throws SpoolDirectoryException when the directory cannot be made or its lock file written
     * @throws IOException when the spool cannot be read
     */
    public static Spool open(Path directory, SpoolOptions options) throws IOException {
        Path lockFile = directory.resolve(LOCK_FILE);
        FileChannel lockChannel;
        try {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (FileSystemException e) {
            throw new SpoolDirectoryException(directory, e);
        }
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process, through another open Spool
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new SpoolInUseException("spool directory " + directory
                    + " is in use by another Tern process (" + lockFile + " is locked); "
                    + "each Tern node needs its own spool directory");
        }
        try {
            SpoolIndex index = new SpoolIndex();
            SpoolRecovery.Recovered recovered = SpoolRecovery.recover(directory, options, index);
            SegmentReaders readers = new SegmentReaders(directory);
            SpoolWriter writer = new SpoolWriter(directory, options, index, recovered, readers);
            writer.start();
            return new Spool(lockChannel, lock, index, writer, readers, options.clock());
        } catch (IOException | RuntimeException e) {
            lockChannel.close(); // releases the lock
            throw e;
        }
    }

    /**
     * Spools a message; the stage completes with its queue id once it is on disk, or exceptionally
     * with a temporary {@link QueueException} (disk full, writer behind, spool closed). Takes
     * ownership of {@code content}.
     */
    @Override
    public CompletionStage<QueueId> enqueue(Envelope envelope, ByteBuf content) {
        Objects.requireNonNull(content, "content");
        if (envelope == null) {
            content.release();
            throw new NullPointerException("envelope");
        }
        return writer.submitMessage(envelope, content, clock.millis());
    }

    @Override
    public void transactionStarted() {
        writer.arrivals.started();
    }

    @Override
    public void transactionEnded() {
        writer.arrivals.ended();
    }

    /**
     * The transaction stops counting before its message is queued, so that a writer that takes the message
     * at once does not wait for the transaction that brought it; a writer already waiting for the open
     * transactions is woken only once the message is in its queue, so the message joins its batch.
     */
    @Override
    public CompletionStage<QueueId> handOver(Envelope envelope, ByteBuf content) {
        writer.arrivals.endedBeforeItsMessage();
        try {
            return enqueue(envelope, content);
        } finally {
            writer.arrivals.wakeIfNoneOpen();
        }
    }

    /** Records the state of one recipient (by its index in the envelope); completes once on disk. */
    public CompletionStage<Void> recordState(QueueId id, int recipientIndex, RecipientState state) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        if (!index.accepts(id, recipientIndex)) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("no pending message " + id + " with recipient " + recipientIndex));
        }
        return writer.submitState(id, recipientIndex, state);
    }

    /**
     * Records that the operator holds ({@code held}) or released a message; a held message keeps its
     * place and its recipients' states, and stays held across a restart. Completes once on disk.
     */
    public CompletionStage<Void> recordHold(QueueId id, boolean held) {
        Objects.requireNonNull(id, "id");
        if (!index.contains(id)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no pending message " + id));
        }
        return writer.submitHold(id, held);
    }

    /**
     * Records that a message is finished (every recipient final, any DSN already spooled); it leaves
     * {@link #pending()} and its segment may then be deleted. Completes once on disk.
     */
    public CompletionStage<Void> recordDone(QueueId id) {
        Objects.requireNonNull(id, "id");
        if (!index.contains(id)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no pending message " + id));
        }
        return writer.submitDone(id);
    }

    /**
     * An executor in front of {@code target} for the work that follows this spool's stages: what their
     * dependents hand over on the writer thread while it completes a group commit reaches {@code target}
     * as one task after the last stage of the batch, so a commit of many records wakes {@code target}'s
     * thread once. Work handed over from any other thread goes to {@code target} at once.
     */
    public Executor handOff(Executor target) {
        return writer.handOff(Objects.requireNonNull(target, "target"));
    }

    /**
     * A snapshot of every unfinished message, in the order they were spooled (after a restart, one written again to
     * let its old segment go comes where it was written again).
     */
    public List<SpooledMessage> pending() {
        return index.snapshot();
    }

    /** The unfinished message with this id, if any. */
    public Optional<SpooledMessage> find(QueueId id) {
        return index.find(id);
    }

    /** How many messages are unfinished. */
    public int size() {
        return index.size();
    }

    /**
     * Reads a message's content from its segment into a new buffer the caller must release. Blocks on
     * disk: never call it on an event loop.
     */
    public ByteBuf readContent(SpooledMessage message) throws IOException {
        return readContent(message, message.contentLength());
    }

    /**
     * Reads at most the first {@code maxBytes} of a message's content into a new buffer the caller must
     * release. Blocks on disk: never call it on an event loop.
     */
    public ByteBuf readContent(SpooledMessage message, int maxBytes) throws IOException {
        int length = Math.min(Math.max(0, maxBytes), message.contentLength());
        // Where it lies now: an unfinished message of an old segment may have been written again since, and its old
        // segment deleted while this read began there: then it is read again from where it went.
        SpoolIndex.Place place = index.place(message.id());
        for (int tries = 0; ; tries++) {
            try {
                return place == null
                        ? readers.read(message.segment(), message.contentOffset(), length, message.id())
                        : readers.read(place.segment(), place.offset(), length, message.id());
            } catch (NoSuchFileException e) {
                SpoolIndex.Place now = index.place(message.id());
                if (tries > 0 || now == null || now.equals(place)) {
                    throw e;
                }
                place = now;
            }
        }
    }

    /** Writes everything already handed over, stops the writer and releases the directory. Blocks. */
    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing the spool");
        } finally {
            readers.close();
            if (lock.isValid()) {
                lockChannel.close();
            }
        }
    }
}
