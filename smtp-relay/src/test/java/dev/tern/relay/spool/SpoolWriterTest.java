package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolFixtures.content;
import static dev.tern.relay.spool.SpoolFixtures.enqueue;
import static dev.tern.relay.spool.SpoolFixtures.envelope;
import static dev.tern.relay.spool.SpoolFixtures.message;
import static dev.tern.relay.spool.SpoolFixtures.pendingTexts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.smtp.queue.QueueException;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit, batch limits and a failing disk, through the storage seam. */
class SpoolWriterTest {

    private static final int RECORDS = 200;

    @TempDir
    Path dir;

    private final TestStorage storage = new TestStorage();

    @Test
    void concurrentEnqueuesShareForces() throws Exception {
        storage.forceGate = new CountDownLatch(1); // a slow disk: nothing is forced until all are in
        List<ByteBuf> contents = new CopyOnWriteArrayList<>();
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            List<CompletableFuture<QueueId>> stages = submitFromThreads(spool, contents, RECORDS);
            assertThat(stages).noneMatch(CompletableFuture::isDone);
            storage.forceGate.countDown();
            Set<QueueId> ids = ConcurrentHashMap.newKeySet();
            for (CompletableFuture<QueueId> stage : stages) {
                ids.add(stage.get(10, TimeUnit.SECONDS));
            }
            assertThat(ids).hasSize(RECORDS);
            assertThat(storage.forces.get()).isLessThan(RECORDS).isLessThanOrEqualTo(4);
            assertThat(contents).allMatch(c -> c.refCnt() == 0);
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.size()).isEqualTo(RECORDS);
        }
    }

    /**
     * A fault of the writer itself (here the JVM out of direct memory) stops it for good: the callers waiting get
     * a temporary failure at once instead of never, later ones are refused, and the listener is told, so that
     * the server can stop (Tern exits and is started again; nothing acknowledged is lost).
     */
    @Test
    void aWriterThatStopsOnAnErrorFailsWhatWaitsAndSaysSo() throws Exception {
        List<Throwable> stopped = new CopyOnWriteArrayList<>();
        SpoolOptions options = SpoolOptions.defaults().withStorage(storage).withListener(new SpoolListener() {
            @Override
            public void writerStopped(Throwable cause) {
                stopped.add(cause);
            }
        });
        try (Spool spool = Spool.open(dir, options)) {
            storage.appendError = new OutOfMemoryError("Cannot reserve direct buffer memory (test)");
            ByteBuf content = content("first");
            CompletableFuture<QueueId> first = spool.enqueue(envelope("from@example.com", "to@example.net"), content)
                    .toCompletableFuture();

            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(QueueException.class)
                    .cause()
                    .satisfies(
                            e -> assertThat(((QueueException) e).isTemporary()).isTrue());
            await().atMost(SpoolFixtures.TIMEOUT).until(() -> stopped.size() == 1);
            assertThat(stopped.get(0)).isSameAs(storage.appendError);
            ByteBuf later = content("later");
            assertThatThrownBy(() -> spool.enqueue(envelope("from@example.com", "to@example.net"), later)
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(QueueException.class);
            assertThat(later.refCnt()).isZero();
        }
    }

    @Test
    void batchesRespectTheRecordLimit() throws Exception {
        storage.forceGate = new CountDownLatch(1);
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        SpoolOptions options = SpoolOptions.defaults()
                .withStorage(storage)
                .withListener(batchSizes(batchSizes))
                .withMaxBatch(16, 1 << 20);
        try (Spool spool = Spool.open(dir, options)) {
            List<CompletableFuture<QueueId>> stages = submitFromThreads(spool, new CopyOnWriteArrayList<>(), RECORDS);
            storage.forceGate.countDown();
            CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
        assertThat(batchSizes).allMatch(n -> n <= 16);
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(RECORDS);
        assertThat(batchSizes).hasSizeGreaterThanOrEqualTo(RECORDS / 16);
    }

    @Test
    void whatAGroupCommitsStagesHandOverReachesTheExecutorAsOneTaskPerBatch() throws Exception {
        storage.forceGate = new CountDownLatch(1); // every stage still open while its dependent is attached
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        List<Runnable> given = new CopyOnWriteArrayList<>(); // what reached the executor, run by hand below
        List<Integer> ran = new CopyOnWriteArrayList<>();
        SpoolOptions options = SpoolOptions.defaults().withStorage(storage).withListener(batchSizes(batchSizes));
        try (Spool spool = Spool.open(dir, options)) {
            Executor handOff = spool.handOff(given::add);
            List<CompletableFuture<QueueId>> stages = submitFromThreads(spool, new CopyOnWriteArrayList<>(), RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                int n = i;
                stages.get(i).thenRunAsync(() -> ran.add(n), handOff);
            }
            storage.forceGate.countDown();
            CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            await().atMost(SpoolFixtures.TIMEOUT).until(() -> {
                runGiven(given);
                return ran.size() == RECORDS;
            });
            assertThat(ran)
                    .containsExactlyInAnyOrderElementsOf(
                            IntStream.range(0, RECORDS).boxed().toList());
            // One task per batch at most, where each stage's dependent used to be a task (and a wake-up) of its own.
            assertThat(executed.get()).isLessThanOrEqualTo(batchSizes.size()).isLessThan(RECORDS);
            assertThat(batchSizes).anyMatch(n -> n > 1);

            Runnable fromAnotherThread = () -> {};
            handOff.execute(fromAnotherThread);
            assertThat(given).containsExactly(fromAnotherThread);
        }
    }

    @Test
    void aTaskThatFailsDoesNotKeepTheOthersOfItsBatchFromRunning() throws Exception {
        storage.forceGate = new CountDownLatch(1);
        List<Runnable> given = new CopyOnWriteArrayList<>();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            Executor handOff = spool.handOff(given::add);
            List<CompletableFuture<QueueId>> stages = submitFromThreads(spool, new CopyOnWriteArrayList<>(), 20);
            for (int i = 0; i < stages.size(); i++) {
                int n = i;
                // Handed over by the writer thread itself, as a plain task: nothing wraps its failure.
                stages.get(i)
                        .thenRun(() -> handOff.execute(() -> {
                            if (n % 2 == 0) {
                                throw new IllegalStateException("task " + n + " fails");
                            }
                            ran.add(n);
                        }));
            }
            storage.forceGate.countDown();
            CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            await().atMost(SpoolFixtures.TIMEOUT).until(() -> {
                runGiven(given);
                return ran.size() == 10;
            });
            assertThat(ran).containsExactlyInAnyOrder(1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
        }
    }

    @Test
    void fullDiskFailsTheBatchTemporarilyAndRecovers() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1));
            storage.failWrites = true; // half the batch reaches the file, then ENOSPC
            assertFailsTemporarily(spool, message(2));
            storage.failWrites = false;
            enqueue(spool, message(3));
            storage.failForces = true; // the whole batch is written, the force fails
            assertFailsTemporarily(spool, message(4));
            storage.failForces = false;
            enqueue(spool, message(5));
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3), message(5));
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3), message(5));
        }
    }

    /** A disk that stays full leaves no empty segment behind per failed write: one made for a batch goes with it. */
    @Test
    void failedWritesToAFullDiskLeaveNoEmptySegmentsBehind() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1));
            // New segments' headers still fit; every batch fails.
            storage.failAppendsOver = RecordFormat.SEGMENT_HEADER_SIZE;
            for (int i = 0; i < 5; i++) {
                assertFailsTemporarily(spool, message(2));
            }
            assertThat(segmentFiles())
                    .as("the first segment, holding message 1")
                    .hasSize(1);
            storage.failAppendsOver = Long.MAX_VALUE;
            enqueue(spool, message(3));
            assertThat(segmentFiles()).hasSize(2);
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3));
        }
    }

    /**
     * A delivery state and a DONE whose batch met a full disk are written again once it has room, by themselves:
     * otherwise a restart would deliver the message again, and its segment would never go.
     */
    @Test
    void deliveryRecordsThatMetAFullDiskAreWrittenOnceItHasRoom() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            QueueId id = enqueue(spool, message(1));
            enqueue(spool, message(2));
            storage.failWrites = true;
            assertThat(spool.recordState(id, 0, SpoolFixtures.delivered("250 ok"))
                            .toCompletableFuture())
                    .failsWithin(10, TimeUnit.SECONDS);
            assertThat(spool.recordDone(id).toCompletableFuture()).failsWithin(10, TimeUnit.SECONDS);
            int forces = storage.forces.get();
            storage.failWrites = false;
            // Nothing else is written: the records go again by themselves.
            await().atMost(10, TimeUnit.SECONDS).until(() -> storage.forces.get() > forces);
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(2));
        }
    }

    /**
     * A message finished while the disk is full lets its segment go at once, its DONE record still unwritten:
     * what frees a disk the spool itself filled. Its record goes with the file, so it cannot come back.
     */
    @Test
    void aSegmentOfFinishedMessagesGoesWhileTheirDoneRecordsCannotBeWritten() throws Exception {
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(1).withStorage(storage);
        try (Spool spool = Spool.open(dir, options)) {
            QueueId first = enqueue(spool, message(1));
            enqueue(spool, message(2)); // in a segment of its own: the first one is closed
            assertThat(segmentFiles()).hasSize(2);
            storage.failWrites = true;
            assertThat(spool.recordDone(first).toCompletableFuture()).failsWithin(10, TimeUnit.SECONDS);
            assertThat(segmentFiles())
                    .as("the finished message's segment is gone")
                    .hasSize(1);
            storage.failWrites = false;
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(2));
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .toList();
        }
    }

    /**
     * A large message's records go around the page cache, a small one's through it; both read back, and a
     * large batch that failed half-written is cut off like any other.
     */
    @Test
    void largeMessagesAreAppendedAsSuchAndReadBack() throws Exception {
        String large = "Subject: large\r\n\r\n" + "0123456789abcdef".repeat(20_000) + "\r\n";
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1));
            assertThat(storage.largeAppends.get()).isZero();
            enqueue(spool, large);
            assertThat(storage.largeAppends.get()).isEqualTo(1);
            storage.failWrites = true;
            assertFailsTemporarily(spool, large + "lost");
            storage.failWrites = false;
            enqueue(spool, message(3));
            assertThat(storage.largeAppends.get()).isEqualTo(2);
            assertThat(pendingTexts(spool)).containsExactly(message(1), large, message(3));
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), large, message(3));
        }
    }

    /**
     * A batch is one of large messages by its messages alone: the delivery states written with a large message
     * do not send it through the page cache, and a batch of states alone, or of small messages, is not one.
     */
    @Test
    void aBatchIsOfLargeMessagesByItsMessagesAlone() {
        long large = SpoolWriter.LARGE_RECORD * 16;
        List<SpoolOp> oneLargeAndStates = new java.util.ArrayList<>();
        oneLargeAndStates.add(messageOp());
        IntStream.range(0, 40).forEach(i -> oneLargeAndStates.add(stateOp()));
        assertThat(SpoolWriter.largeMessages(oneLargeAndStates, large + 40 * 80))
                .isTrue();
        assertThat(SpoolWriter.largeMessages(List.of(messageOp(), messageOp()), 2 * 4096))
                .isFalse();
        assertThat(SpoolWriter.largeMessages(List.of(messageOp(), messageOp()), 2 * SpoolWriter.LARGE_RECORD))
                .isTrue();
        assertThat(SpoolWriter.largeMessages(List.of(stateOp(), stateOp()), large))
                .isFalse();
    }

    private static SpoolOp messageOp() {
        return new SpoolOp.Message(
                envelope("a@example.com", "b@example.net"), Unpooled.EMPTY_BUFFER, 0, new CompletableFuture<>());
    }

    private static SpoolOp stateOp() {
        return new SpoolOp.State(
                new QueueId("0123456789ABCDEF"),
                0,
                SpoolFixtures.deferred(0, "451 4.4.1 later"),
                new CompletableFuture<>());
    }

    @Test
    void halfWrittenBatchThatCannotBeCutIsSkippedAtReplay() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1));
            storage.failWrites = true;
            storage.failTruncates = true; // the garbage stays at the end of segment 1
            assertFailsTemporarily(spool, message(2));
            storage.failWrites = false;
            storage.failTruncates = false;
            enqueue(spool, message(3)); // goes to a new segment
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3));
        }
    }

    @Test
    void stagesCompleteOnlyAfterTheForceReturned() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1)); // the segment exists: the next force is the batch's own
            storage.forceGate = new CountDownLatch(1);
            int started = storage.forcesStarted.get();
            ByteBuf content = content(message(2));
            CompletableFuture<QueueId> stage = spool.enqueue(envelope("a@example.com", "b@example.net"), content)
                    .toCompletableFuture();
            await().atMost(SpoolFixtures.TIMEOUT).until(() -> storage.forcesStarted.get() > started);
            assertThat(stage).isNotDone();
            storage.forceGate.countDown();
            assertThat(stage.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(content.refCnt()).isZero();
        }
    }

    @Test
    void writesCompositeContentWithoutLosingComponents() throws Exception {
        ByteBuf composite = Unpooled.compositeBuffer()
                .addComponent(true, content("Subject: parts\r\n"))
                .addComponent(true, Unpooled.copiedBuffer("\r\n", java.nio.charset.StandardCharsets.US_ASCII))
                .addComponent(true, content("body\r\n"));
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            SpoolFixtures.join(spool.enqueue(envelope("a@example.com", "b@example.net"), composite));
            assertThat(composite.refCnt()).isZero();
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly("Subject: parts\r\n\r\nbody\r\n");
        }
    }

    @Test
    void aLargeMessageIsForcedInPartsAndReadBackWhole() throws Exception {
        int part = 512 << 10;
        io.netty.buffer.CompositeByteBuf large = Unpooled.compositeBuffer();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            String line = ("part " + i + " ").repeat(part / 7 + 1).substring(0, part - 2) + "\r\n";
            text.append(line);
            large.addComponent(true, content(line));
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1)); // the segment exists: the forces counted next are the message's own
            int before = storage.forces.get();
            SpoolFixtures.join(spool.enqueue(envelope("a@example.com", "b@example.net"), large));
            assertThat(storage.forces.get() - before).isEqualTo(2); // one while the second half was copied, one after
            assertThat(large.refCnt()).isZero();
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), text.toString());
        }
    }

    @Test
    void aLargeBatchWhoseEarlyForceFailsLeavesNothingBehind() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withStorage(storage))) {
            enqueue(spool, message(1));
            storage.failForces = true;
            String big = "x".repeat((int) OverlappedFlush.PART) + "\r\n";
            io.netty.buffer.CompositeByteBuf large =
                    Unpooled.compositeBuffer().addComponent(true, content(big)).addComponent(true, content(big));
            CompletableFuture<QueueId> stage = spool.enqueue(envelope("a@example.com", "b@example.net"), large)
                    .toCompletableFuture();
            assertThatThrownBy(() -> stage.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.isTemporary())
                            .isTrue());
            storage.failForces = false;
            enqueue(spool, message(3));
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3));
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3));
        }
    }

    private static void assertFailsTemporarily(Spool spool, String text) {
        ByteBuf content = content(text);
        CompletableFuture<QueueId> stage = spool.enqueue(envelope("a@example.com", "b@example.net"), content)
                .toCompletableFuture();
        assertThatThrownBy(() -> stage.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        QueueException.class, e -> assertThat(e.isTemporary()).isTrue())
                .hasMessageContaining("No space left on device");
        assertThat(content.refCnt()).isZero();
    }

    private final java.util.concurrent.atomic.AtomicInteger executed = new java.util.concurrent.atomic.AtomicInteger();

    /** Runs, on this thread, every task that reached the executor so far. */
    private void runGiven(List<Runnable> given) {
        while (!given.isEmpty()) {
            executed.incrementAndGet();
            given.remove(0).run();
        }
    }

    private static SpoolListener batchSizes(List<Integer> sizes) {
        return new SpoolListener() {
            @Override
            public void batchWritten(int records, long bytes, long nanos) {
                sizes.add(records);
            }
        };
    }

    private static List<CompletableFuture<QueueId>> submitFromThreads(Spool spool, List<ByteBuf> contents, int count)
            throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<QueueId>> stages = new CopyOnWriteArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            List<java.util.concurrent.Future<?>> tasks = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    start.await();
                    for (int i = thread; i < count; i += threads) {
                        ByteBuf c = content(message(i));
                        contents.add(c);
                        stages.add(spool.enqueue(envelope("a@example.com", "b@example.net"), c)
                                .toCompletableFuture());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var task : tasks) {
                task.get(10, TimeUnit.SECONDS);
            }
            return stages;
        } finally {
            pool.shutdownNow();
        }
    }
}
