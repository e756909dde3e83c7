package dev.tern.server.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;

/**
 * BlockHound, installed once per JVM, collecting every blocking call made on a non-blocking thread (a
 * Netty event loop) instead of throwing, so that tests sharing the JVM are observed but never broken. A
 * test calls {@link #install()} and {@link #forget()} first, and asserts {@link #seen()} is empty at its
 * end.
 */
public final class BlockingCalls {
    static final String FILE_CHANNEL = "sun.nio.ch.FileChannelImpl";

    private static final List<String> SEEN = new CopyOnWriteArrayList<>();

    private BlockingCalls() {}

    public static synchronized void install() {
        BlockHound.install(builder -> builder
                // BlockHound's own list misses file channels: the spool's path must never be on a loop.
                .markAsBlocking(FILE_CHANNEL, "implWrite", "(Ljava/nio/ByteBuffer;)I")
                .markAsBlocking(FILE_CHANNEL, "implWrite", "([Ljava/nio/ByteBuffer;II)J")
                .markAsBlocking(FILE_CHANNEL, "implWrite", "(Ljava/nio/ByteBuffer;J)I")
                .markAsBlocking(FILE_CHANNEL, "implRead", "(Ljava/nio/ByteBuffer;)I")
                .markAsBlocking(FILE_CHANNEL, "implRead", "(Ljava/nio/ByteBuffer;J)I")
                .markAsBlocking(FILE_CHANNEL, "force", "(Z)V")
                .blockingMethodCallback(BlockingCalls::record));
    }

    public static void forget() {
        SEEN.clear();
    }

    /** Every blocking call seen on a non-blocking thread since the last {@link #forget()}, with its stack. */
    public static List<String> seen() {
        return List.copyOf(SEEN);
    }

    private static void record(BlockingMethod method) {
        StringBuilder where = new StringBuilder(method.toString())
                .append(" on ")
                .append(Thread.currentThread().getName());
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            where.append("\n\tat ").append(frame);
        }
        SEEN.add(where.toString());
    }
}
