package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolFixtures.enqueue;
import static dev.tern.relay.spool.SpoolFixtures.message;
import static dev.tern.relay.spool.SpoolFixtures.onlySegment;
import static dev.tern.relay.spool.SpoolFixtures.pendingTexts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.testing.LogLines;
import dev.tern.smtp.queue.QueueId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Crashes mid-write and damaged bytes: what replay keeps, what it never surfaces. */
class SpoolRecoveryTest {

    /** These tests find records by the segment's size, so its file holds nothing but records. */
    private static final SpoolOptions OPTIONS = SpoolOptions.defaults().withPreallocation(0);

    @TempDir
    Path template;

    @TempDir
    Path work;

    /** Segment offsets where records 2 and 3 start, and the segment's size with all three. */
    private long second;

    private long third;
    private long end;

    @BeforeEach
    void writeThreeMessages() throws Exception {
        try (Spool spool = Spool.open(template, OPTIONS)) {
            enqueue(spool, message(1));
            Path segment = onlySegment(template); // created by the first write
            second = Files.size(segment);
            enqueue(spool, message(2));
            third = Files.size(segment);
            enqueue(spool, message(3));
            end = Files.size(segment);
        }
    }

    @Test
    void tornLastRecordIsDroppedAtEveryCutAndTheSpoolGoesOn() throws Exception {
        for (long cut = third; cut < end; cut++) {
            Path dir = Files.createDirectories(work.resolve("cut-" + cut));
            Path segment = dir.resolve(onlySegment(template).getFileName());
            Files.copy(onlySegment(template), segment);
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            try (Spool spool = Spool.open(dir, OPTIONS)) {
                assertThat(pendingTexts(spool)).as("cut at %d", cut).containsExactly(message(1), message(2));
                assertThat(Files.size(segment))
                        .as("torn tail cut off at %d", cut)
                        .isEqualTo(third);
                enqueue(spool, message(4));
            }
            try (Spool spool = Spool.open(dir, OPTIONS)) {
                assertThat(pendingTexts(spool))
                        .as("reopened after cut at %d", cut)
                        .containsExactly(message(1), message(2), message(4));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // where in record 2,  offset from its start
        "magic,                0",
        "type,                 4",
        "length,               6",
        "crc,                  10",
        "metadata length,      13",
        "queue id,             20",
        "last content byte,    -1",
    })
    void corruptRecordIsNeverSurfacedButLaterRecordsSurvive(String where, long offset) throws Exception {
        long at = offset >= 0 ? second + offset : third + offset;
        try (RandomAccessFile f = new RandomAccessFile(onlySegment(template).toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
        // Replay resynchronises on the next record whose magic and CRC check out.
        keepsAndGoesOn(template, OPTIONS, message(4), message(1), message(3));
    }

    /**
     * A flipped bit in the segment header's nonce spoils every record's checksum: nothing in the segment can
     * be read, and as the last segment it is cut back to its header so the spool can go on. The acknowledged
     * messages in it are then only in the copy kept beside the spool, byte for byte as found.
     */
    @Test
    void aSegmentThatCannotBeReadWholeIsCopiedBeforeItIsCut() throws Exception {
        Path segment = onlySegment(template);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(12); // inside the nonce, bytes 8 to 15
            int b = f.read();
            f.seek(12);
            f.write(b ^ 0x01);
        }
        byte[] damaged = Files.readAllBytes(segment);
        keepsAndGoesOn(template, OPTIONS, message(4));
        Path copy = template.resolve(SpoolRecovery.CORRUPT).resolve(segment.getFileName());
        assertThat(copy).hasBinaryContent(damaged);
        assertThat(Files.size(segment)).as("cut back, then one record appended").isLessThan(damaged.length);
    }

    @Test
    void recordForgedInsideContentIsNotTakenForARealOne() throws Exception {
        // A message whose content is a byte-exact copy of a real record (the segment's nonce is not
        // in it, so its CRC cannot match a resynchronising replay's check).
        byte[] segment = Files.readAllBytes(onlySegment(template));
        byte[] record3 = java.util.Arrays.copyOfRange(segment, (int) third, (int) end);
        Path other = work.resolve("other");
        try (Spool spool = Spool.open(other, OPTIONS)) {
            SpoolFixtures.join(spool.enqueue(
                    SpoolFixtures.envelope("a@example.com", "b@example.net"),
                    io.netty.buffer.Unpooled.wrappedBuffer(record3)));
        }
        // Damage the real record's magic so replay scans through the content.
        try (RandomAccessFile f = new RandomAccessFile(onlySegment(other).toFile(), "rw")) {
            f.seek(RecordFormat.SEGMENT_HEADER_SIZE);
            f.write(0);
        }
        try (Spool spool = Spool.open(other, OPTIONS)) {
            assertThat(spool.pending()).isEmpty();
        }
    }

    /**
     * Found by fuzzing (SegmentReplayFuzzTest#replaysDamagedSegment): the damage begins in the octets of a
     * DONE record but leaves them as they were, and spoils the magic of the record after it. The DONE still
     * checks out and still finishes its message: the message must not come back.
     */
    @Test
    void aDoneRecordJustBeforeACorruptRecordStillFinishesItsMessage() throws Exception {
        Path dir = work.resolve("done");
        long afterDone;
        try (Spool spool = Spool.open(dir, OPTIONS)) {
            QueueId finished = enqueue(spool, message(1));
            SpoolFixtures.join(spool.recordState(finished, 0, SpoolFixtures.failed("550 no")));
            SpoolFixtures.join(spool.recordDone(finished));
            afterDone = Files.size(onlySegment(dir));
            enqueue(spool, message(2));
            enqueue(spool, message(3));
        }
        try (RandomAccessFile f = new RandomAccessFile(onlySegment(dir).toFile(), "rw")) {
            f.seek(afterDone - 4); // the DONE record's last octets, rewritten as they were
            byte[] same = new byte[4];
            f.readFully(same);
            f.seek(afterDone - 4);
            f.write(same);
            f.write(0); // and the next record's magic, spoiled
        }
        try (Spool spool = Spool.open(dir, OPTIONS)) {
            assertThat(pendingTexts(spool)).containsExactly(message(3));
        }
    }

    @Test
    void truncatedSegmentHeaderIsDiscarded() throws Exception {
        Path dir = Files.createDirectories(work.resolve("header"));
        Files.write(dir.resolve(RecordFormat.fileName(1)), new byte[] {0x54, 0x4E});
        try (Spool spool = Spool.open(dir, OPTIONS)) {
            enqueue(spool, message(1));
        }
        try (Spool spool = Spool.open(dir, OPTIONS)) {
            assertThat(pendingTexts(spool)).containsExactly(message(1));
        }
    }

    /**
     * Segments go oldest first and only the newest can be cut off while being created: a hole in the numbers, or an
     * older segment too short for its header, is damage that loses acknowledged mail, and is said so (ERROR), the
     * short one moved aside whole. Records of the other segments are all kept.
     */
    @ParameterizedTest
    @CsvSource({"removed, missing between", "emptied, less than a segment's header", "cut, less than a segment's header"
    })
    void aSegmentOtherThanTheNewestThatIsGoneOrCutIsReported(String damage, String reported) throws Exception {
        Path dir = work.resolve(damage);
        SpoolOptions oneBatchEach = OPTIONS.withSegmentSize(1);
        try (Spool spool = Spool.open(dir, oneBatchEach)) {
            for (int i = 1; i <= 3; i++) {
                enqueue(spool, message(i));
            }
        }
        Path second = dir.resolve(RecordFormat.fileName(2));
        switch (damage) {
            case "removed" -> Files.delete(second);
            case "emptied" -> Files.write(second, new byte[0]);
            default -> {
                try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
                    ch.truncate(10);
                }
            }
        }
        try (LogLines log = LogLines.of(SpoolRecovery.class);
                Spool spool = Spool.open(dir, oneBatchEach)) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(3));
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains(reported));
        }
        if (!damage.equals("removed")) {
            assertThat(dir.resolve(SpoolRecovery.CORRUPT).resolve(second.getFileName()))
                    .exists();
        }
        // Reported once: the spool goes on, and a restart finds nothing more to say.
        try (LogLines log = LogLines.of(SpoolRecovery.class);
                Spool spool = Spool.open(dir, oneBatchEach)) {
            enqueue(spool, message(4));
            assertThat(log.lines()).noneSatisfy(line -> assertThat(line).contains("less than a segment's header"));
        }
    }

    /** The newest segment cut off while being created is dropped, and its number goes to the next one: no hole. */
    @Test
    void theNumberOfANewestSegmentCutOffWhileBeingCreatedIsUsedAgain() throws Exception {
        Path dir = work.resolve("renumber");
        try (Spool spool = Spool.open(dir, OPTIONS.withSegmentSize(1))) {
            enqueue(spool, message(1));
        }
        Files.write(dir.resolve(RecordFormat.fileName(2)), new byte[] {0x54, 0x4E});
        try (Spool spool = Spool.open(dir, OPTIONS.withSegmentSize(1))) {
            enqueue(spool, message(2));
        }
        assertThat(dir.resolve(RecordFormat.fileName(2))).exists();
        try (LogLines log = LogLines.of(SpoolRecovery.class);
                Spool spool = Spool.open(dir, OPTIONS)) {
            assertThat(pendingTexts(spool)).containsExactly(message(1), message(2));
            assertThat(log.lines()).noneSatisfy(line -> assertThat(line).contains("missing"));
        }
    }

    @Test
    void reopenDoesNotDuplicateOrLoseAnything() throws IOException {
        try (Spool spool = Spool.open(template, OPTIONS)) {
            assertThat(pendingTexts(spool)).isEqualTo(List.of(message(1), message(2), message(3)));
        }
        try (Spool spool = Spool.open(template, OPTIONS)) {
            assertThat(spool.size()).isEqualTo(3);
        }
    }

    @Test
    void zerosWrittenAheadOfTheRecordsAreTheEndNotDamage() throws Exception {
        Path dir = twoMessagesPreallocated("preallocated");
        Path segment = onlySegment(dir);
        assertThat(Files.size(segment))
                .as("written with zeros ahead of the records")
                .isBetween(SpoolOptions.DEFAULT_PREALLOCATION, SpoolOptions.DEFAULT_PREALLOCATION + 4096);
        SegmentReplay.Result r = SegmentReplay.replay(segment, 1, new SpoolIndex());
        assertThat(r.records()).isEqualTo(2);
        assertThat(r.corrupt()).isZero();
        assertThat(r.zeroTail()).isTrue();
        assertThat(r.validEnd()).isLessThan(r.size());
        keepsAndGoesOn(dir, SpoolOptions.defaults(), message(3), message(1), message(2));
    }

    /** A message whose batch reaches twice {@link SpoolWriter#OWN_EXTENSION} past where it starts. */
    private static final String LARGE =
            "Subject: large\r\n\r\n" + "0123456789abcdef\r\n".repeat((int) (2 * SpoolWriter.OWN_EXTENSION / 18));

    @Test
    void aLargeBatchReachingPastTheZerosAheadGrowsTheFileWithoutMoreZeros() throws Exception {
        SpoolOptions options = SpoolOptions.defaults().withPreallocation(64 << 10);
        Path dir = Files.createDirectories(work.resolve("large-past-zeros"));
        try (Spool spool = Spool.open(dir, options)) {
            enqueue(spool, message(1));
            Path segment = onlySegment(dir);
            assertThat(Files.size(segment)).as("zeros ahead of a small batch").isGreaterThan(64 << 10);
            enqueue(spool, LARGE);
            assertThat(Files.size(segment))
                    .as("a large batch that begins among the zeros and reaches past them ends the file")
                    .isEqualTo(
                            SegmentReplay.replay(segment, 1, new SpoolIndex()).validEnd());
        }
        keepsAndGoesOn(dir, options, message(2), message(1), LARGE);
    }

    @Test
    void aLargeBatchGrowsTheFileWithItsOwnRecordsAndSmallOnesAfterItGetZerosAheadAgain() throws Exception {
        Path dir = Files.createDirectories(work.resolve("large-first"));
        String large = LARGE;
        long afterLarge;
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            enqueue(spool, large);
            Path segment = onlySegment(dir);
            afterLarge = Files.size(segment);
            assertThat(afterLarge)
                    .as("no zeros written ahead of a batch that large: the file ends with its record")
                    .isEqualTo(
                            SegmentReplay.replay(segment, 1, new SpoolIndex()).validEnd())
                    .isGreaterThan(SpoolWriter.OWN_EXTENSION);
            enqueue(spool, message(1));
            assertThat(Files.size(segment))
                    .as("a small batch after it writes zeros ahead again")
                    .isBetween(
                            afterLarge + SpoolOptions.DEFAULT_PREALLOCATION,
                            afterLarge + SpoolOptions.DEFAULT_PREALLOCATION + 4096);
        }
        keepsAndGoesOn(dir, SpoolOptions.defaults(), message(2), large, message(1));
    }

    @Test
    void aTornBatchInTheZerosIsCutAndTheNextRecordsFollowTheLastGoodOne() throws Exception {
        Path dir = twoMessagesPreallocated("torn-in-zeros");
        Path segment = onlySegment(dir);
        long validEnd = SegmentReplay.replay(segment, 1, new SpoolIndex()).validEnd();
        // A crash mid-write: some pages of a batch that was never acknowledged reached the disk, one
        // of them after a page that did not.
        byte[] record = Files.readAllBytes(onlySegment(template));
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(validEnd + 4096);
            f.write(record, (int) second, (int) (end - second));
        }
        SegmentReplay.Result torn = SegmentReplay.replay(segment, 1, new SpoolIndex());
        assertThat(torn.zeroTail()).isFalse();
        assertThat(torn.records())
                .as("a record of another segment fails its checksum")
                .isEqualTo(2);

        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(Files.size(segment)).as("the torn tail is cut off").isEqualTo(validEnd);
        }
        keepsAndGoesOn(dir, SpoolOptions.defaults(), message(3), message(1), message(2));
        SegmentReplay.Result after = SegmentReplay.replay(segment, 1, new SpoolIndex());
        assertThat(after.corrupt()).isZero();
        assertThat(after.zeroTail()).isTrue();
    }

    @Test
    void aRecordWhoseEndWasNeverWrittenIsDroppedThoughZerosFollow() throws Exception {
        Path dir = twoMessagesPreallocated("zeroed-end");
        Path segment = onlySegment(dir);
        long validEnd = SegmentReplay.replay(segment, 1, new SpoolIndex()).validEnd();
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(validEnd - 8); // the last octets of message 2's record stay zeros
            f.write(new byte[8]);
        }
        keepsAndGoesOn(dir, SpoolOptions.defaults(), message(3), message(1));
    }

    /** Opens {@code dir}: it holds exactly {@code kept}; takes {@code added}; opened again, it holds both. */
    private static void keepsAndGoesOn(Path dir, SpoolOptions options, String added, String... kept) throws Exception {
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).containsExactly(kept);
            enqueue(spool, added);
        }
        List<String> all = new java.util.ArrayList<>(List.of(kept));
        all.add(added);
        try (Spool spool = Spool.open(dir, options)) {
            assertThat(pendingTexts(spool)).isEqualTo(all);
        }
    }

    /** A spool in {@code work/name} written with the default preallocation, holding messages 1 and 2. */
    private Path twoMessagesPreallocated(String name) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            enqueue(spool, message(1));
            enqueue(spool, message(2));
        }
        return dir;
    }
}
