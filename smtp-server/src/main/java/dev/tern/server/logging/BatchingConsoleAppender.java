package dev.tern.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Tern's console appender: the logging thread (often an event loop) only captures the event and puts it in a
 * bounded queue; one writer thread takes whatever has gathered every {@link #setIntervalMillis interval},
 * formats it and writes it to standard output with one write. Nothing wakes the writer per line, and the
 * console sees one system call per batch instead of one per line.
 *
 * <p>The message is formatted on the writer when every argument is an immutable JDK value (a string, a boxed
 * number, a boolean, a character, an enum constant); any other argument could change before the writer gets to
 * it, so such an event is formatted on the calling thread, as logback's own asynchronous appender does. The
 * thread name and the MDC are always taken on the calling thread.
 *
 * <p>When the queue is full a line is dropped rather than stalling the caller; the writer then writes how many
 * were dropped. {@link #stop()} writes what is queued before it returns.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static final int MAX_BATCH = 4096;

    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 16384;
    private long intervalMillis = 20;
    private OutputStream out;

    private ArrayBlockingQueue<ILoggingEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean stopping;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** The most lines waiting for the writer; past it lines are dropped (default 16384). */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** How long the writer waits between batches when nothing is queued (default 20 ms). */
    public void setIntervalMillis(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** Where the lines go; standard output unless set (tests). */
    void setOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        if (queueSize < 1 || intervalMillis < 1) {
            addError("queueSize and intervalMillis must be positive in appender " + name);
            return;
        }
        if (out == null) {
            out = System.out;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        writer = new Thread(this::writeLoop, "tern-log-writer");
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        capture(event);
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** Takes on this thread what cannot be taken later: the thread name, the MDC, and a mutable argument's text. */
    private static void capture(ILoggingEvent event) {
        event.getThreadName();
        event.getMDCPropertyMap();
        if (!onlyValues(event.getArgumentArray())) {
            event.getFormattedMessage();
        }
    }

    static boolean onlyValues(Object[] arguments) {
        if (arguments == null) {
            return true;
        }
        for (Object a : arguments) {
            if (!(a == null
                    || a instanceof String
                    || a instanceof Integer
                    || a instanceof Long
                    || a instanceof Boolean
                    || a instanceof Character
                    || a instanceof Short
                    || a instanceof Byte
                    || a instanceof Double
                    || a instanceof Float
                    || a instanceof Enum<?>)) {
                return false;
            }
        }
        return true;
    }

    private void writeLoop() {
        List<ILoggingEvent> batch = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        while (true) {
            boolean last = stopping;
            batch.clear();
            queue.drainTo(batch, MAX_BATCH);
            long lost = dropped.getAndSet(0);
            if (!batch.isEmpty() || lost > 0) {
                try {
                    write(batch, lost, bytes);
                } catch (OutOfMemoryError e) {
                    // The heap ran out (not necessarily for the log's sake): this batch is lost, but the writer
                    // lives on, and says so with its next write, instead of Tern running on with no log at all.
                    dropped.addAndGet(batch.size() + lost);
                    bytes = new ByteArrayOutputStream(64 * 1024);
                }
                if (bytes.size() > 1 << 20) {
                    bytes = new ByteArrayOutputStream(64 * 1024); // one burst should not pin its buffer
                }
            }
            if (batch.size() == MAX_BATCH) {
                continue; // more is waiting
            }
            if (last) {
                return;
            }
            // A pause after every batch, not only when nothing came: under load the lines of the whole
            // interval go out in one write instead of a few lines per write.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMillis));
        }
    }

    private void write(List<ILoggingEvent> batch, long lost, ByteArrayOutputStream bytes) {
        bytes.reset();
        try {
            for (ILoggingEvent event : batch) {
                bytes.write(encoder.encode(event));
            }
            if (lost > 0) {
                bytes.write(("[" + name + "] " + lost + " log lines dropped: the log writer fell behind\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            bytes.writeTo(out);
            out.flush();
        } catch (IOException | RuntimeException e) {
            addError("cannot write " + batch.size() + " log lines", e);
        }
    }
}
