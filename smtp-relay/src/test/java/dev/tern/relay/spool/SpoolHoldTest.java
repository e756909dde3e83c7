package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolFixtures.enqueue;
import static dev.tern.relay.spool.SpoolFixtures.join;
import static dev.tern.relay.spool.SpoolFixtures.pendingTexts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's hold on a message: a HOLD record in format 2, replayed at open, kept by compaction. */
class SpoolHoldTest {

    @TempDir
    Path dir;

    @Test
    void aHeldMessageIsStillHeldAfterAReopen() throws Exception {
        QueueId held;
        QueueId other;
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            held = enqueue(spool, "held");
            other = enqueue(spool, "other");
            join(spool.recordHold(held, true));
            assertThat(spool.find(held).orElseThrow().held()).isTrue();
            assertThat(spool.find(other).orElseThrow().held()).isFalse();
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.find(held).orElseThrow().held()).as("replayed").isTrue();
            assertThat(spool.find(other).orElseThrow().held()).isFalse();
            assertThat(pendingTexts(spool)).containsExactly("held", "other");
        }
    }

    @Test
    void theLastHoldOrReleaseRecordWins() throws Exception {
        QueueId id;
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            id = enqueue(spool, "m");
            join(spool.recordHold(id, true));
            join(spool.recordHold(id, false));
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.find(id).orElseThrow().held()).as("released").isFalse();
            join(spool.recordHold(id, true));
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.find(id).orElseThrow().held()).as("held again").isTrue();
        }
    }

    @Test
    void compactionKeepsTheHoldOfAnUnfinishedMessage() throws Exception {
        // Tiny segments: every batch rolls to a new one, so the HOLD record lives apart from its message.
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(1);
        QueueId held;
        try (Spool spool = Spool.open(dir, options)) {
            QueueId done = enqueue(spool, "done");
            held = enqueue(spool, "held");
            join(spool.recordHold(held, true));
            join(spool.recordDone(done));
            enqueue(spool, "later");
            // The first segment held only the finished message: compaction took it.
            assertThat(segmentCount()).isEqualTo(4);
        }
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactly("held", "later");
            assertThat(spool.find(held).orElseThrow().held()).isTrue();
        }
    }

    @Test
    void refusesToHoldAnUnknownOrFinishedMessage() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            QueueId id = enqueue(spool, "m");
            join(spool.recordDone(id));
            assertThat(spool.recordHold(id, true).toCompletableFuture()).isCompletedExceptionally();
            assertThat(spool.recordHold(new QueueId("NOSUCHID"), true).toCompletableFuture())
                    .isCompletedExceptionally();
        }
    }

    private long segmentCount() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> RecordFormat.parseSeq(p.getFileName().toString()) >= 0)
                    .count();
        }
    }
}
