package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolFixtures.content;
import static dev.tern.relay.spool.SpoolFixtures.enqueue;
import static dev.tern.relay.spool.SpoolFixtures.envelope;
import static dev.tern.relay.spool.SpoolFixtures.join;
import static dev.tern.relay.spool.SpoolFixtures.message;
import static dev.tern.relay.spool.SpoolFixtures.pendingTexts;
import static dev.tern.relay.spool.SpoolFixtures.readText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.queue.MutableClock;
import dev.tern.smtp.queue.QueueException;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    @Test
    void spooledMessageSurvivesReopenWithIdenticalEnvelopeAndContent() throws Exception {
        ByteBuf content = content(message(1));
        QueueId id;
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            id = join(spool.enqueue(SpoolFixtures.richEnvelope(), content));
            assertThat(content.refCnt()).isZero();
            assertThat(spool.find(id)).isPresent();
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.size()).isEqualTo(1);
            SpooledMessage m = spool.pending().get(0);
            assertThat(m.id()).isEqualTo(id);
            assertThat(m.envelope()).isEqualTo(SpoolFixtures.richEnvelope());
            assertThat(m.states()).containsExactly(RecipientState.PENDING, RecipientState.PENDING);
            assertThat(m.arrivalMillis()).isPositive();
            assertThat(readText(spool, m)).isEqualTo(message(1));
        }
    }

    @Test
    void stampsArrivalAndQueueIdWithItsClock() throws Exception {
        Instant now = Instant.parse("2031-05-06T07:08:09.010Z");
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withClock(Clock.fixed(now, ZoneOffset.UTC)))) {
            QueueId id = enqueue(spool, message(1));
            assertThat(spool.find(id).orElseThrow().arrivalMillis()).isEqualTo(now.toEpochMilli());
            // The id's first nine characters are the acceptance millisecond in base 36.
            assertThat(Long.parseLong(id.value().substring(0, 9), 36)).isEqualTo(now.toEpochMilli());
        }
    }

    @Test
    void givesDistinctAlphanumericIdsSortedByAcceptance() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ids.add(enqueue(spool, message(i)).value());
            }
            assertThat(ids).doesNotHaveDuplicates().isSorted();
            assertThat(ids).allMatch(v -> v.matches("[0-9A-Z]{1,20}"));
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThatThrownBy(() -> Spool.open(dir, SpoolOptions.defaults()))
                    .isInstanceOf(SpoolInUseException.class)
                    .hasMessageContaining("in use by another Tern process")
                    .hasMessageContaining(dir.toString());
            assertThat(enqueue(spool, message(1))).isNotNull();
        }
        // Closing releases the directory.
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.size()).isEqualTo(1);
        }
    }

    @Test
    void enqueueAfterCloseFailsTemporarilyAndReleasesContent() throws Exception {
        Spool spool = Spool.open(dir, SpoolOptions.defaults());
        spool.close();
        ByteBuf content = content(message(1));
        var stage = spool.enqueue(envelope("a@example.com", "b@example.net"), content)
                .toCompletableFuture();
        assertThatThrownBy(stage::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        QueueException.class, e -> assertThat(e.isTemporary()).isTrue());
        assertThat(content.refCnt()).isZero();
    }

    @Test
    void failsFastWhenTooManyBytesWaitForTheWriter() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults().withMaxQueuedBytes(10))) {
            ByteBuf content = content("this content is longer than ten bytes");
            var stage = spool.enqueue(envelope("a@example.com", "b@example.net"), content)
                    .toCompletableFuture();
            assertThat(stage).isCompletedExceptionally();
            assertThatThrownBy(stage::get).cause().isInstanceOfSatisfying(QueueException.class, e -> assertThat(
                            e.isTemporary())
                    .isTrue());
            assertThat(content.refCnt()).isZero();
            assertThat(enqueue(spool, "short")).isNotNull();
        }
    }

    @Test
    void recipientStatesAndDoneSurviveReopen() throws Exception {
        QueueId first;
        QueueId second;
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            first = join(spool.enqueue(envelope("a@example.com", "b@example.net", "c@example.net"), content("1")));
            second = enqueue(spool, "2");
            join(spool.recordState(first, 0, SpoolFixtures.delivered("250 ok")));
            join(spool.recordState(first, 1, SpoolFixtures.deferred(1_700_000_000_000L, "451 busy")));
            join(spool.recordState(second, 0, SpoolFixtures.failed("550 no such user")));
            join(spool.recordDone(second));
            assertThat(spool.pending()).extracting(SpooledMessage::id).containsExactly(first);
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.pending()).extracting(SpooledMessage::id).containsExactly(first);
            assertThat(spool.pending().get(0).states())
                    .containsExactly(
                            SpoolFixtures.delivered("250 ok"), SpoolFixtures.deferred(1_700_000_000_000L, "451 busy"));
        }
    }

    @Test
    void refusesStateForUnknownMessageOrRecipient() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            QueueId id = enqueue(spool, "1");
            assertThat(spool.recordState(id, 1, SpoolFixtures.failed("x")).toCompletableFuture())
                    .isCompletedExceptionally();
            assertThat(spool.recordState(new QueueId("NOSUCHID"), 0, SpoolFixtures.failed("x"))
                            .toCompletableFuture())
                    .isCompletedExceptionally();
            join(spool.recordDone(id));
            assertThat(spool.recordDone(id).toCompletableFuture()).isCompletedExceptionally();
        }
    }

    @Test
    void deletesASegmentOnceAllItsMessagesAreDone() throws Exception {
        // Tiny segments: every batch rolls to a new segment.
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(1);
        try (Spool spool = Spool.open(dir, options)) {
            QueueId a = enqueue(spool, "a");
            QueueId b = enqueue(spool, "b");
            assertThat(segments()).hasSize(2);
            join(spool.recordDone(a));
            // The DONE record went to a third segment; the first now holds nothing unfinished.
            // Compaction runs on the writer right after the batch's stages complete.
            await().atMost(SpoolFixtures.TIMEOUT)
                    .untilAsserted(() ->
                            assertThat(segments()).hasSize(2).doesNotContain(dir.resolve(RecordFormat.fileName(1))));
            join(spool.recordDone(b));
            // The next batch rolls once more, past the segment that held b's DONE; the writer is
            // one thread, so by the time c is spooled every earlier compaction has run.
            enqueue(spool, "c");
            assertThat(segments()).hasSize(1);
        }
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactly("c");
        }
    }

    @Test
    void keepsLaterSegmentsWhileAnOlderMessageIsUnfinished() throws Exception {
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(1);
        try (Spool spool = Spool.open(dir, options)) {
            QueueId a = enqueue(spool, "a");
            QueueId b = enqueue(spool, "b");
            join(spool.recordState(a, 0, SpoolFixtures.deferred(42, "451")));
            join(spool.recordDone(b));
            enqueue(spool, "c");
            // b's segment is finished, but a's state record lives after it: nothing may go yet.
            assertThat(segments()).hasSize(5);
        }
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactly("a", "c");
            assertThat(spool.pending().get(0).states()).containsExactly(SpoolFixtures.deferred(42, "451"));
        }
    }

    /**
     * A message held (or deferred) for long is written again once it keeps later segments on disk, with its states
     * and its hold, and its old segment goes: the mail written after it is not kept until it finishes.
     */
    @Test
    void writesALongUnfinishedMessageAgainSoThatTheSegmentsAfterItCanGo() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(4096).withClock(clock);
        SpooledMessage before;
        try (Spool spool = Spool.open(dir, options)) {
            QueueId held = enqueue(spool, "held for long");
            join(spool.recordState(held, 0, SpoolFixtures.deferred(42, "451 4.4.1 try later")));
            join(spool.recordHold(held, true));
            before = spool.find(held).orElseThrow();
            for (int i = 0; i < 150; i++) {
                join(spool.recordDone(enqueue(spool, message(i))));
            }
            // Not while its segment has been finished with for less than a minute: mail that fresh is on its way out.
            assertThat(segments()).hasSizeGreaterThan(4).contains(dir.resolve(RecordFormat.fileName(1)));
            for (int i = 150; i < 300; i++) {
                join(spool.recordDone(enqueue(spool, message(i))));
                clock.advance(Duration.ofSeconds(1)); // a message a second, about 25 to a segment
            }
            // 300 messages of about 150 octets: a dozen segments, of which only those of the last minute or so are
            // left (a segment is finished with for UNFINISHED_FOR before its unfinished mail is written again).
            assertThat(segments()).hasSizeLessThanOrEqualTo(6).doesNotContain(dir.resolve(RecordFormat.fileName(1)));
            // A view taken before the message moved still reads its content, from where it lies now.
            assertThat(readText(spool, before)).isEqualTo("held for long");
        }
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactly("held for long");
            SpooledMessage after = spool.pending().get(0);
            assertThat(after.id()).isEqualTo(before.id());
            assertThat(after.arrivalMillis()).isEqualTo(before.arrivalMillis());
            assertThat(after.envelope()).isEqualTo(before.envelope());
            assertThat(after.states()).containsExactly(SpoolFixtures.deferred(42, "451 4.4.1 try later"));
            assertThat(after.held()).isTrue();
            assertThat(after.segment()).isGreaterThan(1);
        }
    }

    /**
     * Once every message is finished, a segment still appended to goes too when it holds a quarter of a segment or
     * more (or more than the disk has free): a disk the spool filled is freed when its mail is delivered.
     */
    @Test
    void aSegmentOfFinishedMailGoesOnceNothingIsLeftEvenWhileItIsAppendedTo() throws Exception {
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(64 * 1024);
        try (Spool spool = Spool.open(dir, options)) {
            List<QueueId> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(enqueue(spool, "x".repeat(1024)));
            }
            assertThat(segments()).hasSize(1);
            for (QueueId id : ids.subList(0, 19)) {
                join(spool.recordDone(id));
            }
            assertThat(segments()).as("one message is still unfinished").hasSize(1);
            join(spool.recordDone(ids.get(19)));
            await().atMost(SpoolFixtures.TIMEOUT)
                    .untilAsserted(() -> assertThat(segments()).isEmpty());
            enqueue(spool, "next");
            assertThat(segments())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getFileName().toString()).isEqualTo(RecordFormat.fileName(2)));
        }
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactly("next");
        }
    }

    /** A restart does not make old segments new: how long one has been finished with is told by its file's time. */
    @Test
    void aSegmentReplayedAtStartIsAsOldAsItsFile() throws Exception {
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(4096);
        try (Spool spool = Spool.open(dir, options)) {
            join(spool.recordHold(enqueue(spool, "held"), true));
            for (int i = 0; i < 100; i++) {
                join(spool.recordDone(enqueue(spool, message(i))));
            }
        }
        FileTime longAgo = FileTime.from(Instant.now().minus(SegmentRoller.UNFINISHED_FOR.multipliedBy(2)));
        for (Path segment : segments()) {
            Files.setLastModifiedTime(segment, longAgo);
        }
        int before = segments().size();
        try (Spool spool = Spool.open(dir, options)) {
            for (int i = 0; i < 60; i++) {
                join(spool.recordDone(enqueue(spool, message(i))));
            }
            assertThat(segments())
                    .doesNotContain(dir.resolve(RecordFormat.fileName(1)))
                    .hasSizeLessThan(before);
            assertThat(pendingTexts(spool)).containsExactly("held");
        }
    }

    /** A backlog (segments still mostly unfinished) is not copied: that would only write it twice. */
    @Test
    void leavesASegmentOfMostlyUnfinishedMailWhereItIs() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(4096).withClock(clock);
        try (Spool spool = Spool.open(dir, options)) {
            for (int i = 0; i < 60; i++) {
                enqueue(spool, "x".repeat(1000)); // about three to a segment
                clock.advance(Duration.ofSeconds(10));
            }
            assertThat(spool.pending()).extracting(SpooledMessage::segment).contains(1L);
            assertThat(segments()).as("nothing copied, nothing gone").hasSizeGreaterThan(10);
        }
    }

    /**
     * Mostly unfinished segments are written again all the same once the finished ones they keep on disk are many:
     * the spool holds about four times its unfinished mail, not every segment written since its oldest message.
     */
    @Test
    void writesOldMostlyUnfinishedSegmentsAgainOnceTheyKeepManyFinishedOnes() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(4096).withClock(clock);
        List<String> unfinished = new java.util.ArrayList<>();
        try (Spool spool = Spool.open(dir, options)) {
            for (int i = 0; i < 3; i++) {
                unfinished.add(i + "y".repeat(1000));
                enqueue(spool, unfinished.get(i));
            }
            unfinished.add("held");
            join(spool.recordHold(enqueue(spool, "held"), true));
            for (int i = 0; i < 400; i++) {
                join(spool.recordDone(enqueue(spool, message(i))));
                clock.advance(Duration.ofSeconds(1));
            }
            assertThat(segments()).hasSizeLessThanOrEqualTo(6);
        }
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactlyInAnyOrderElementsOf(unfinished);
            assertThat(spool.pending()).filteredOn(SpooledMessage::held).hasSize(1);
        }
    }

    @Test
    void readsContentFromMoreSegmentsThanItKeepsOpenAndClosesWhatCompactionDeletes() throws Exception {
        SpoolOptions options = SpoolOptions.defaults().withSegmentSize(1);
        int count = SegmentReaders.MAX_OPEN * 2 + 3;
        try (Spool spool = Spool.open(dir, options)) {
            List<QueueId> ids = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(enqueue(spool, message(i)));
            }
            for (int round = 0; round < 2; round++) {
                List<SpooledMessage> pending = spool.pending();
                for (int i = 0; i < count; i++) {
                    assertThat(readText(spool, pending.get(i))).isEqualTo(message(i));
                }
                // the read channels, and the writer's own on the segment it appends to
                assertThat(openSegments())
                        .as("channels kept open")
                        .hasSizeLessThanOrEqualTo(SegmentReaders.MAX_OPEN + 1);
            }
            for (QueueId id : ids) {
                join(spool.recordDone(id));
            }
            enqueue(spool, "last");
            assertThat(segments()).hasSize(1);
            assertThat(openSegments())
                    .as("no channel left on a deleted segment")
                    .allMatch(Files::exists);
        }
        assertThat(openSegments())
                .as("closing the spool closes its read channels")
                .isEmpty();
    }

    /** The segment files this process holds open (Linux: /proc/self/fd), deleted ones included. */
    private List<Path> openSegments() throws IOException {
        List<Path> held = new java.util.ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString()) && target.contains("segment-")) {
                        held.add(Path.of(target.replace(" (deleted)", "")));
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return held;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> RecordFormat.parseSeq(p.getFileName().toString()) >= 0)
                    .sorted()
                    .toList();
        }
    }
}
