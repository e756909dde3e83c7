package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolFixtures.content;
import static dev.tern.relay.spool.SpoolFixtures.delivered;
import static dev.tern.relay.spool.SpoolFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit delay: a batch of messages, or of delivery states alone, waits for the messages of the
 * transactions still open, so that one
 * flush carries them all, and for nothing else. The delay here is far longer than any test waits, so a wait
 * that should not happen fails the test instead of slowing it.
 */
class CommitDelayTest {

    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration WHILE = Duration.ofMillis(300);

    @TempDir
    Path dir;

    /** The records of each batch written, in order. */
    private final List<Integer> batches = new CopyOnWriteArrayList<>();
    /** How long each batch that waited waited, in nanoseconds. */
    private final List<Long> waits = new CopyOnWriteArrayList<>();

    private Spool open(Duration delay) throws Exception {
        SpoolListener listener = new SpoolListener() {
            @Override
            public void batchWritten(int records, long bytes, long nanos) {
                batches.add(records);
            }

            @Override
            public void batchWaited(long nanos) {
                waits.add(nanos);
            }
        };
        return Spool.open(dir, SpoolOptions.defaults().withCommitDelay(delay).withListener(listener));
    }

    /** As a session does: the message is handed over, which ends its transaction. */
    private static CompletableFuture<QueueId> handOver(Spool spool, ByteBuf content) {
        return spool.handOver(envelope("a@example.com", "b@example.net"), content)
                .toCompletableFuture();
    }

    /** Two transactions start; the first hands its message over and waits, while the other is open. */
    private static CompletableFuture<QueueId> firstOfTwo(Spool spool) {
        spool.transactionStarted();
        spool.transactionStarted();
        CompletableFuture<QueueId> first = handOver(spool, content("first"));
        await().during(WHILE).atMost(WHILE.multipliedBy(4)).until(() -> !first.isDone());
        return first;
    }

    /** The listener hears of a batch once its callers are answered: wait for it. */
    private void batchesWere(Integer... records) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(batches).containsExactly(records));
    }

    @Test
    void aMessageWaitsForTheMessageOfAnOpenTransactionAndBothShareOneFlush() throws Exception {
        try (Spool spool = open(LONG)) {
            CompletableFuture<QueueId> first = firstOfTwo(spool);
            CompletableFuture<QueueId> second = handOver(spool, content("second"));
            CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
            batchesWere(2);
        }
        assertThat(waits).singleElement().satisfies(nanos -> assertThat(nanos)
                .as("the wait, told to the listener")
                .isBetween(WHILE.toNanos(), LONG.toNanos()));
    }

    @Test
    void aDeliveryStateWaitsForTheMessageOfAnOpenTransactionAndBothShareOneFlush() throws Exception {
        try (Spool spool = open(LONG)) {
            spool.transactionStarted();
            QueueId id = handOver(spool, content("delivered later")).get(10, TimeUnit.SECONDS);
            spool.transactionStarted();
            CompletableFuture<Void> state =
                    spool.recordState(id, 0, delivered("250 ok")).toCompletableFuture();
            await().during(WHILE).atMost(WHILE.multipliedBy(4)).until(() -> !state.isDone());
            CompletableFuture<QueueId> arriving = handOver(spool, content("arriving"));
            CompletableFuture.allOf(state, arriving).get(10, TimeUnit.SECONDS);
            batchesWere(1, 2);
        }
        assertThat(waits).singleElement().satisfies(nanos -> assertThat(nanos)
                .as("the state's wait, told to the listener")
                .isBetween(WHILE.toNanos(), LONG.toNanos()));
    }

    @Test
    void aDeliveryStateWithNoTransactionOpenIsForcedAtOnce() throws Exception {
        try (Spool spool = open(LONG)) {
            spool.transactionStarted();
            QueueId id = handOver(spool, content("delivered")).get(10, TimeUnit.SECONDS);
            spool.recordState(id, 0, delivered("250 ok")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            spool.recordDone(id).toCompletableFuture().get(10, TimeUnit.SECONDS);
            batchesWere(1, 1, 1);
        }
        assertThat(waits).as("no batch waited").isEmpty();
    }

    @Test
    void aMessageWithNoOtherTransactionOpenIsForcedAtOnce() throws Exception {
        try (Spool spool = open(LONG)) {
            spool.transactionStarted();
            handOver(spool, content("alone")).get(10, TimeUnit.SECONDS);
            // Started and ended before the next message: nothing is left to wait for.
            spool.transactionStarted();
            spool.transactionEnded();
            spool.transactionStarted();
            handOver(spool, content("alone again")).get(10, TimeUnit.SECONDS);
            batchesWere(1, 1);
        }
        assertThat(waits).as("no batch waited").isEmpty();
    }

    @Test
    void theWaitEndsWhenTheLastOpenTransactionEndsWithoutAMessage() throws Exception {
        try (Spool spool = open(LONG)) {
            CompletableFuture<QueueId> first = firstOfTwo(spool);
            spool.transactionEnded(); // the other was refused, reset or disconnected
            first.get(10, TimeUnit.SECONDS);
            batchesWere(1);
        }
    }

    @Test
    void aLargeBatchIsForcedWithoutWaiting() throws Exception {
        try (Spool spool = open(LONG)) {
            spool.transactionStarted();
            spool.transactionStarted();
            ByteBuf large = Unpooled.buffer((int) SpoolOptions.COMMIT_DELAY_MAX_BYTES);
            large.writeZero((int) SpoolOptions.COMMIT_DELAY_MAX_BYTES);
            handOver(spool, large).get(10, TimeUnit.SECONDS);
            spool.transactionEnded();
        }
    }

    @Test
    void aZeroDelayNeverWaits() throws Exception {
        try (Spool spool = open(Duration.ZERO)) {
            spool.transactionStarted();
            spool.transactionStarted();
            handOver(spool, content("first")).get(10, TimeUnit.SECONDS);
            spool.transactionEnded();
        }
    }

    @Test
    void closingWritesAWaitingBatchAtOnce() throws Exception {
        CompletableFuture<QueueId> first;
        try (Spool spool = open(LONG)) {
            first = firstOfTwo(spool);
            CompletableFuture.runAsync(() -> {
                        try {
                            spool.close();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
        }
        assertThat(first).isCompleted();
        try (Spool reopened = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(reopened.size()).isEqualTo(1);
        }
    }
}
