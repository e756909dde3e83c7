package dev.tern.relay.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Appends a batch and forces it, overlapping the two for large batches. A batch of {@link #PART} or more is
 * appended a part at a time, and once a part is written (into the page cache, or to the disk directly for large
 * messages) a force starts on a thread of its own while the writer copies the next part.
 * The writer's own force, after the last part, is what makes the batch durable; it waits for the early
 * force first, and a failed early force fails the batch as its own would. Small batches are appended and
 * forced as one, on the writer thread, with no other thread involved.
 */
final class OverlappedFlush implements AutoCloseable {

    /** How much of a batch is appended before the disk is set to work on it. */
    static final long PART = 1L << 20;

    private final ExecutorService flusher;

    OverlappedFlush() {
        // The thread starts with the first large batch: a spool of small messages never has it.
        this.flusher = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "tern-spool-flusher");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Writes every byte of {@code buffers} after the segment's last append and forces it to the disk; the
     * records of {@code largeMessages} with {@link SpoolStorage.Segment#appendLarge}.
     */
    void appendAndForce(SpoolStorage.Segment file, ByteBuffer[] buffers, boolean largeMessages) throws IOException {
        Future<?> early = null;
        try {
            int from = 0;
            long part = 0;
            for (int i = 0; i < buffers.length - 1; i++) {
                part += buffers[i].remaining();
                if (part < PART) {
                    continue;
                }
                append(file, Arrays.copyOfRange(buffers, from, i + 1), largeMessages);
                from = i + 1;
                part = 0;
                if (early == null || early.isDone()) {
                    await(early); // a failure ends the batch here
                    early = flusher.submit(() -> {
                        file.force();
                        return null;
                    });
                }
            }
            append(file, from == 0 ? buffers : Arrays.copyOfRange(buffers, from, buffers.length), largeMessages);
        } catch (IOException | RuntimeException e) {
            // The writer cuts the file back next: no force of it may still be running then.
            settle(early, e);
            throw e;
        }
        await(early);
        file.force();
    }

    private static void append(SpoolStorage.Segment file, ByteBuffer[] buffers, boolean largeMessages)
            throws IOException {
        if (largeMessages) {
            file.appendLarge(buffers);
        } else {
            file.append(buffers);
        }
    }

    private static void settle(Future<?> early, Exception failure) {
        IOException failed = outcome(early);
        if (failed != null && failed != failure) { // an early force that failed may be the failure itself
            failure.addSuppressed(failed);
        }
    }

    private static void await(Future<?> early) throws IOException {
        IOException failed = outcome(early);
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Waits for the early force to end and gives its failure, or null. An interrupt does not cut the wait
     * short, for the writer may cut the file back next; the thread's interrupt flag is kept for the writer.
     */
    private static IOException outcome(Future<?> early) {
        if (early == null) {
            return null;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    early.get();
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return e.getCause() instanceof IOException io
                            ? io
                            : new IOException("early force failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        flusher.shutdown();
    }
}
