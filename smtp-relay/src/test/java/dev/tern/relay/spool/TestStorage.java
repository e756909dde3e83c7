package dev.tern.relay.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Real segment files underneath, with forces counted, a gate every force waits at (a slow disk) and
 * switches that make the disk "full"; for the spool's tests and for the queue's, which run over a real spool.
 */
public final class TestStorage implements SpoolStorage {
    public final java.util.concurrent.atomic.AtomicInteger forces = new java.util.concurrent.atomic.AtomicInteger();
    public final java.util.concurrent.atomic.AtomicInteger forcesStarted =
            new java.util.concurrent.atomic.AtomicInteger();
    /** Appends of large messages' records ({@link Segment#appendLarge}). */
    public final java.util.concurrent.atomic.AtomicInteger largeAppends =
            new java.util.concurrent.atomic.AtomicInteger();

    public volatile boolean failWrites;
    public volatile boolean failForces;
    public volatile boolean failTruncates;
    /** Thrown by the next append: a fault of the JVM (direct memory exhausted) rather than of the disk. */
    public volatile Error appendError;
    /** Every force waits for this gate: a slow disk. */
    public volatile java.util.concurrent.CountDownLatch forceGate = new java.util.concurrent.CountDownLatch(0);

    /**
     * Appends of more octets than this fail as {@link #failWrites} makes them; smaller ones, such as a new
     * segment's header, still go: a disk with a few bytes left.
     */
    public volatile long failAppendsOver = Long.MAX_VALUE;

    private static long remaining(ByteBuffer[] buffers) {
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        return total;
    }

    @Override
    public Segment open(Path file) throws IOException {
        Segment real = SpoolStorage.files().open(file);
        return new Segment() {
            @Override
            public long size() throws IOException {
                return real.size();
            }

            @Override
            public void append(ByteBuffer[] buffers) throws IOException {
                Error error = appendError;
                if (error != null) {
                    throw error;
                }
                if (failWrites || remaining(buffers) > failAppendsOver) {
                    // Half the buffers make it to the file before the disk fills up.
                    real.append(java.util.Arrays.copyOf(buffers, Math.max(1, buffers.length / 2)));
                    throw new IOException("No space left on device");
                }
                real.append(buffers);
            }

            @Override
            public void appendLarge(ByteBuffer[] buffers) throws IOException {
                largeAppends.incrementAndGet();
                if (failWrites) {
                    real.appendLarge(java.util.Arrays.copyOf(buffers, Math.max(1, buffers.length / 2)));
                    throw new IOException("No space left on device");
                }
                real.appendLarge(buffers);
            }

            @Override
            public void preallocate(long size) throws IOException {
                real.preallocate(size);
            }

            @Override
            public void force() throws IOException {
                forcesStarted.incrementAndGet();
                try {
                    forceGate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
                if (failForces) {
                    throw new IOException("No space left on device");
                }
                forces.incrementAndGet();
                real.force();
            }

            @Override
            public void truncate(long size) throws IOException {
                if (failTruncates) {
                    throw new IOException("Input/output error");
                }
                real.truncate(size);
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }
}
