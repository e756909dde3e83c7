package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Spool replay on a torn or corrupt disk: {@link SegmentReplay} (with {@link RecordFormat} and {@link
 * SpoolCodec}) reads arbitrary octets after a segment header, and a real segment (written by a {@link
 * Spool}) after overwrites, insertions and truncation. Replay never throws; every message it indexes
 * stands in a record whose CRC32C checks out (verified here independently); and every record the
 * damage did not touch is read, so replay resynchronises on the next good record.
 */
class SegmentReplayFuzzTest {

    static final long SEQ = 1;
    static final String SEGMENT = RecordFormat.fileName(SEQ);

    @TempDir
    static Path dir;

    /** The real segment: header, then records. */
    static byte[] original;
    /** Its records, in order. */
    static List<Span> records;
    /** What replay of the intact segment gives, by message id. */
    static Map<QueueId, SpooledMessage> intact;

    /** One record of the real segment: where it stands and which message it is about. */
    record Span(int start, int end, byte type, QueueId id) {}

    @BeforeAll
    static void writeRealSegment() throws Exception {
        // Replay warns about every skipped region; thousands of runs a second would drown the log.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(SegmentReplay.class)).setLevel(Level.ERROR);
        Path spoolDir = dir.resolve("spool");
        // Without preallocated zeros: the fuzzer damages records, and SpoolRecoveryTest covers the zeros.
        try (Spool spool = Spool.open(spoolDir, SpoolOptions.defaults().withPreallocation(0))) {
            QueueId rich = SpoolFixtures.join(
                    spool.enqueue(SpoolFixtures.richEnvelope(), SpoolFixtures.content(SpoolFixtures.message(1))));
            QueueId plain = SpoolFixtures.enqueue(spool, SpoolFixtures.message(2));
            SpoolFixtures.join(spool.recordState(rich, 0, SpoolFixtures.delivered("maildir")));
            SpoolFixtures.join(spool.recordHold(plain, true));
            SpoolFixtures.enqueue(spool, "TNR1 a forged magic inside content\r\n");
            QueueId finished = SpoolFixtures.enqueue(spool, SpoolFixtures.message(4));
            SpoolFixtures.join(spool.recordState(finished, 0, SpoolFixtures.failed("550 no")));
            SpoolFixtures.join(spool.recordDone(finished));
            SpoolFixtures.enqueue(spool, "");
        }
        original = Files.readAllBytes(spoolDir.resolve(SEGMENT));
        intact = replay(original);
        records = spans(original);
        assertThat(records).hasSizeGreaterThanOrEqualTo(9);
        assertThat(intact).hasSize(4);
    }

    @Test
    void octetsInsertedInsideADoneRecordThatRepeatTheOnesTheyPushOnLeaveItWholeAndItsMessageFinished()
            throws IOException {
        Span done = records.stream()
                .filter(r -> r.type() == RecordFormat.DONE)
                .findFirst()
                .orElseThrow();
        // Nine octets inserted before the record's last one, the first of them equal to it: the record's
        // own octets are unchanged, nine others follow it.
        int at = done.end() - 1;
        byte[] inserted = new byte[9];
        Arrays.fill(inserted, (byte) 0x55);
        inserted[0] = original[at];
        byte[] file = new byte[original.length + inserted.length];
        System.arraycopy(original, 0, file, 0, at);
        System.arraycopy(inserted, 0, file, at, inserted.length);
        System.arraycopy(original, at, file, at + inserted.length, original.length - at);
        List<int[]> spans = new ArrayList<>();
        for (Span r : records) {
            int shift = r.start() >= at ? inserted.length : 0;
            spans.add(new int[] {r.start() + shift, r.end() + shift});
        }

        assertThat(touched(file, spans)[records.indexOf(done)]).isFalse();
        assertThat(replay(file)).doesNotContainKey(done.id()).containsOnlyKeys(intact.keySet());
    }

    @Test
    void aWholeCopyOfADoneRecordElsewhereInTheSegmentFinishesItsMessageThoughTheOriginalIsDamaged() throws IOException {
        Span done = records.stream()
                .filter(r -> r.type() == RecordFormat.DONE)
                .findFirst()
                .orElseThrow();
        byte[] file = Arrays.copyOf(original, original.length + (done.end() - done.start()));
        file[done.end() - 1] ^= 0x5A; // the record at its place fails its checksum
        System.arraycopy(original, done.start(), file, original.length, done.end() - done.start());

        assertThat(finishedIntact(done.id(), file)).isTrue();
        assertThat(replay(file)).doesNotContainKey(done.id());
    }

    /** Arbitrary octets after a real header (or, when the first octet is odd, as the whole file). */
    @FuzzTest(maxDuration = "30s")
    void replaysArbitraryOctets(byte[] data) throws IOException {
        byte[] file;
        if (data.length > 0 && (data[0] & 1) == 1) {
            file = Arrays.copyOfRange(data, 1, data.length);
        } else {
            file = Arrays.copyOf(original, RecordFormat.SEGMENT_HEADER_SIZE + Math.max(0, data.length - 1));
            if (data.length > 1) {
                System.arraycopy(data, 1, file, RecordFormat.SEGMENT_HEADER_SIZE, data.length - 1);
            }
        }
        for (SpooledMessage m : replay(file).values()) {
            assertThat(checksumHolds(file, m))
                    .as("record of %s checks out", m.id())
                    .isTrue();
        }
    }

    /** A real segment after up to eight overwrites, insertions or a truncation. */
    @FuzzTest(maxDuration = "30s")
    void replaysDamagedSegment(FuzzedDataProvider data) throws IOException {
        byte[] file = original.clone();
        // Where each original record stands now; whether the damage reached it is read from its octets at the end.
        List<int[]> at = new ArrayList<>();
        for (Span s : records) {
            at.add(new int[] {s.start(), s.end()});
        }
        boolean headerTouched = false;
        List<String> damage = new ArrayList<>();
        int damages = data.consumeInt(1, 8);
        for (int d = 0; d < damages && file.length > 0; d++) {
            int kind = data.consumeInt(0, 2);
            int offset = data.consumeInt(0, file.length - 1);
            byte[] bytes = data.consumeBytes(data.consumeInt(1, 64));
            if (bytes.length == 0) {
                break; // the input ran out: no damage at all
            }
            damage.add(List.of("overwrite", "insert", "truncate").get(kind) + "@" + offset + "+" + bytes.length);
            if (kind == 0) { // overwrite
                int to = Math.min(file.length, offset + bytes.length);
                System.arraycopy(bytes, 0, file, offset, to - offset);
            } else if (kind == 1) { // octets that were never written, inserted: a record spanning them is torn
                byte[] grown = new byte[file.length + bytes.length];
                System.arraycopy(file, 0, grown, 0, offset);
                System.arraycopy(bytes, 0, grown, offset, bytes.length);
                System.arraycopy(file, offset, grown, offset + bytes.length, file.length - offset);
                file = grown;
                for (int[] span : at) {
                    if (span[0] >= offset) {
                        span[0] += bytes.length;
                        span[1] += bytes.length;
                    }
                }
            } else { // truncation: a torn tail
                file = Arrays.copyOf(file, offset);
            }
            headerTouched |= offset < RecordFormat.SEGMENT_HEADER_SIZE;
        }
        boolean[] touched = touched(file, at);
        Map<QueueId, SpooledMessage> replayed = replay(file);
        for (SpooledMessage m : replayed.values()) {
            assertThat(checksumHolds(file, m))
                    .as("record of %s checks out", m.id())
                    .isTrue();
        }
        if (headerTouched) {
            return;
        }
        for (int i = 0; i < records.size(); i++) {
            Span s = records.get(i);
            if (touched[i] || s.type() != RecordFormat.MESSAGE || finishedIntact(s.id(), file)) {
                continue;
            }
            // An untouched message record is read back, whatever came before it.
            SpooledMessage m = replayed.get(s.id());
            assertThat(m)
                    .as("untouched record %d (%s) of %s is replayed after %s", i, s.id(), records, damage)
                    .isNotNull();
            SpooledMessage before = intact.get(s.id()); // null for the finished message
            if (before != null && m.contentOffset() == before.contentOffset() + at.get(i)[0] - s.start()) {
                assertThat(m.envelope()).isEqualTo(before.envelope());
                assertThat(m.contentLength()).isEqualTo(before.contentLength());
            }
        }
    }

    /**
     * Which records the damage reached: those whose octets at their place now differ from the original's.
     * Counting the damage's reach instead marks too much: an overwrite with the same octets, or octets
     * inserted inside a record that repeat the ones they push on (found by the fuzzing pass of `.ci/run`:
     * a DONE record that stayed whole, so its message was rightly finished).
     */
    static boolean[] touched(byte[] file, List<int[]> at) {
        boolean[] touched = new boolean[records.size()];
        for (int i = 0; i < records.size(); i++) {
            Span s = records.get(i);
            int from = at.get(i)[0];
            int to = from + (s.end() - s.start());
            touched[i] = to > file.length || !Arrays.equals(file, from, to, original, s.start(), s.end());
        }
        return touched;
    }

    /**
     * Whether a DONE record for {@code id} survived anywhere in {@code file}, so the message is rightly gone:
     * at its place, or as a whole copy elsewhere (inserted octets may repeat a record of the same segment,
     * which checks out wherever it stands; the fuzzer learns such octets from the comparisons it watches).
     */
    private static boolean finishedIntact(QueueId id, byte[] file) {
        for (Span r : records) {
            if (r.type() == RecordFormat.DONE && r.id().equals(id) && contains(file, r)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the original octets of {@code record} stand anywhere in {@code file}. */
    private static boolean contains(byte[] file, Span record) {
        int length = record.end() - record.start();
        for (int at = 0; at + length <= file.length; at++) {
            if (Arrays.equals(file, at, at + length, original, record.start(), record.end())) {
                return true;
            }
        }
        return false;
    }

    static Map<QueueId, SpooledMessage> replay(byte[] file) throws IOException {
        Path path = dir.resolve(SEGMENT);
        Files.write(path, file);
        SpoolIndex index = new SpoolIndex();
        SegmentReplay.Result result = SegmentReplay.replay(path, SEQ, index);
        assertThat(result.validEnd()).isBetween(0L, (long) file.length);
        Map<QueueId, SpooledMessage> byId = new HashMap<>();
        for (SpooledMessage m : index.snapshot()) {
            byId.put(m.id(), m);
        }
        return byId;
    }

    /**
     * Independently of replay: some record in the file, under the segment's nonce, ends where the
     * message's content ends, is a MESSAGE, and its CRC32C matches.
     */
    static boolean checksumHolds(byte[] file, SpooledMessage m) {
        ByteBuffer b = ByteBuffer.wrap(file);
        long nonce = b.getLong(8);
        long end = m.contentOffset() + m.contentLength();
        for (int p = RecordFormat.SEGMENT_HEADER_SIZE; p + RecordFormat.HEADER_SIZE <= m.contentOffset(); p++) {
            if (b.getInt(p) != RecordFormat.MAGIC || b.get(p + 4) != RecordFormat.MESSAGE) {
                continue;
            }
            long length = Integer.toUnsignedLong(b.getInt(p + 5));
            if (p + RecordFormat.HEADER_SIZE + length != end) {
                continue;
            }
            CRC32C crc = RecordFormat.startCrc(nonce, RecordFormat.MESSAGE, (int) length);
            crc.update(file, p + RecordFormat.HEADER_SIZE, (int) length);
            if ((int) crc.getValue() == b.getInt(p + RecordFormat.CRC_OFFSET)) {
                return true;
            }
        }
        return false;
    }

    /** The records of an intact segment. */
    static List<Span> spans(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        List<Span> spans = new ArrayList<>();
        int p = RecordFormat.SEGMENT_HEADER_SIZE;
        while (p + RecordFormat.HEADER_SIZE <= file.length) {
            byte type = b.get(p + 4);
            int length = b.getInt(p + 5);
            int payload = p + RecordFormat.HEADER_SIZE;
            // Every record's metadata starts with the queue id; a message's after its meta length.
            int meta = type == RecordFormat.MESSAGE ? payload + 4 : payload;
            QueueId id = SpoolCodec.readDone(Unpooled.wrappedBuffer(file, meta, payload + length - meta));
            spans.add(new Span(p, payload + length, type, id));
            p = payload + length;
        }
        return spans;
    }
}
