package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a batch reaches the disk: small ones in one append and one force, large ones with the two overlapped. */
class OverlappedFlushTest {

    private static final int PART = (int) OverlappedFlush.PART;

    private final OverlappedFlush flush = new OverlappedFlush();
    private final RecordingSegment segment = new RecordingSegment();

    @AfterEach
    void close() {
        flush.close();
    }

    @Test
    void aSmallBatchIsAppendedOnceAndForcedOnceOnTheWritersThread() throws Exception {
        flush.appendAndForce(segment, buffers(3, PART / 4), false);

        assertThat(segment.events).containsExactly("append " + 3 * (PART / 4) + " on caller", "force on caller");
        assertThat(segment.written()).isEqualTo(bytes(buffers(3, PART / 4)));
    }

    @Test
    void aLargeBatchIsForcedOnAnotherThreadWhileItsLaterPartsAreStillBeingAppended() throws Exception {
        segment.earlyForceGate = new CountDownLatch(1); // the disk holds the first force
        CompletableFuture<Void> batch = CompletableFuture.runAsync(() -> appendAndForce(buffers(3, PART)));

        // While the first part's force is held, the writer goes on copying the others into the file.
        await().atMost(SpoolFixtures.TIMEOUT)
                .until(() -> segment.events.contains("append " + PART + " on caller")
                        && segment.events.stream()
                                        .filter(e -> e.startsWith("append"))
                                        .count()
                                == 3);
        assertThat(segment.events).contains("force started on tern-spool-flusher");
        assertThat(batch).isNotDone(); // and the batch is not durable before that force returns

        segment.earlyForceGate.countDown();
        batch.get(10, TimeUnit.SECONDS);
        List<String> events = List.copyOf(segment.events);
        assertThat(events).hasSize(6);
        assertThat(events.get(0)).isEqualTo("append " + PART + " on caller");
        assertThat(events.subList(1, 4))
                .containsExactlyInAnyOrder(
                        "force started on tern-spool-flusher",
                        "append " + PART + " on caller",
                        "append " + PART + " on caller");
        // The batch's own force comes last, after the early one has returned.
        assertThat(events.subList(4, 6)).containsExactly("force on tern-spool-flusher", "force on caller");
        assertThat(segment.written()).isEqualTo(bytes(buffers(3, PART)));
    }

    @Test
    void aFailedEarlyForceFailsTheBatchEvenWhenTheLastForceSucceeds() {
        segment.failEarlyForce = true;

        assertThatThrownBy(() -> flush.appendAndForce(segment, buffers(2, PART), false))
                .isInstanceOf(IOException.class)
                .hasMessage("Input/output error");
    }

    @Test
    void aFailedAppendReturnsOnlyOnceTheEarlyForceIsOverForTheWriterCutsTheFileBackNext() throws Exception {
        segment.earlyForceGate = new CountDownLatch(1);
        segment.failingAppend = 2; // the disk fills up while the first part is being forced
        CompletableFuture<Void> batch = CompletableFuture.runAsync(() -> appendAndForce(buffers(3, PART)));

        await().atMost(SpoolFixtures.TIMEOUT).until(() -> segment.events.contains("append failed on caller"));
        assertThat(segment.events).contains("force started on tern-spool-flusher");
        assertThat(batch).isNotDone();

        segment.earlyForceGate.countDown();
        assertThatThrownBy(() -> batch.get(10, TimeUnit.SECONDS))
                .rootCause()
                .isInstanceOf(IOException.class)
                .hasMessage("No space left on device");
        assertThat(segment.events).last().isEqualTo("force on tern-spool-flusher");
    }

    @Test
    void anInterruptedWriterStillWaitsForTheEarlyForceAndKeepsItsInterrupt() throws Exception {
        segment.earlyForceGate = new CountDownLatch(1);
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                flush.appendAndForce(segment, buffers(2, PART), false);
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            } catch (IOException | RuntimeException e) {
                interruptedAfter.completeExceptionally(e);
            }
        });
        writer.start();
        await().atMost(SpoolFixtures.TIMEOUT).until(() -> segment.events.size() == 3); // both parts in, force held

        writer.interrupt();
        // The interrupt is taken (its flag cleared by the wait it woke) and the writer waits again.
        await().atMost(SpoolFixtures.TIMEOUT)
                .until(() -> !writer.isInterrupted() && writer.getState() == Thread.State.WAITING);
        assertThat(interruptedAfter)
                .as("the batch waits for the held force despite the interrupt")
                .isNotDone();

        segment.earlyForceGate.countDown();
        assertThat(interruptedAfter.get(10, TimeUnit.SECONDS))
                .as("the interrupt is kept")
                .isTrue();
        assertThat(segment.events).endsWith("force on tern-spool-flusher", "force on caller");
    }

    private void appendAndForce(ByteBuffer[] buffers) {
        try {
            flush.appendAndForce(segment, buffers, false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code count} buffers of {@code size} octets, each octet telling its buffer and place apart. */
    private static ByteBuffer[] buffers(int count, int size) {
        ByteBuffer[] buffers = new ByteBuffer[count];
        for (int b = 0; b < count; b++) {
            ByteBuffer buffer = ByteBuffer.allocate(size);
            for (int i = 0; i < size; i++) {
                buffer.put((byte) (b * 31 + i));
            }
            buffers[b] = buffer.flip();
        }
        return buffers;
    }

    private static byte[] bytes(ByteBuffer[] buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer buffer : buffers) {
            out.write(buffer.array(), 0, buffer.limit());
        }
        return out.toByteArray();
    }

    /** A segment that keeps what is appended and says which thread appended and forced, in order. */
    private static final class RecordingSegment implements SpoolStorage.Segment {
        final List<String> events = new CopyOnWriteArrayList<>();
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        final String caller = "caller";
        volatile CountDownLatch earlyForceGate = new CountDownLatch(0);
        volatile boolean failEarlyForce;
        /** Which append (counted from 1) fails as a full disk would; 0 for none. */
        volatile int failingAppend;

        private int appends;

        @Override
        public long size() {
            return content.size();
        }

        @Override
        public synchronized void append(ByteBuffer[] buffers) throws IOException {
            if (++appends == failingAppend) {
                events.add("append failed on " + thread());
                throw new IOException("No space left on device");
            }
            int octets = 0;
            for (ByteBuffer buffer : buffers) {
                octets += buffer.remaining();
                byte[] copy = new byte[buffer.remaining()];
                buffer.get(copy);
                content.write(copy, 0, copy.length);
            }
            events.add("append " + octets + " on " + thread());
        }

        @Override
        public void preallocate(long size) {}

        @Override
        public void force() throws IOException {
            if (thread().equals(caller)) {
                events.add("force on caller");
                return;
            }
            events.add("force started on " + thread());
            try {
                earlyForceGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            if (failEarlyForce) {
                throw new IOException("Input/output error");
            }
            events.add("force on " + thread());
        }

        synchronized byte[] written() {
            return content.toByteArray();
        }

        @Override
        public void truncate(long size) {}

        @Override
        public void close() {}

        private String thread() {
            String name = Thread.currentThread().getName();
            return name.equals("tern-spool-flusher") ? name : caller;
        }
    }
}
