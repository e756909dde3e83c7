package dev.tern.relay.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's segment files: which one is appended to, when to start a new one, and which old ones
 * can go. Used by the writer thread only.
 */
final class SegmentRoller {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentRoller.class);

    private final Path directory;
    private final SpoolOptions options;
    private final SpoolIndex index;
    private final SegmentReaders readers;
    private final SecureRandom random = new SecureRandom();
    private ActiveSegment active;
    private long nextSeq;
    /** A segment was started since {@link #relocations} last looked. */
    private boolean rolled;
    /**
     * When each segment still on disk stopped being appended to (those replayed at start: when their file was last
     * written), by sequence number; the times grow with the numbers.
     */
    private final TreeMap<Long, Long> retiredAt = new TreeMap<>();

    /**
     * How long a segment has been finished with before its unfinished messages may be written again: what is
     * unfinished a minute after its segment filled is held or deferred, not on its way out.
     */
    static final Duration UNFINISHED_FOR = Duration.ofMinutes(1);

    SegmentRoller(
            Path directory,
            SpoolOptions options,
            SpoolIndex index,
            SpoolRecovery.Recovered recovered,
            SegmentReaders readers) {
        this.directory = directory;
        this.readers = readers;
        this.options = options;
        this.index = index;
        this.active = recovered.active();
        this.nextSeq = recovered.nextSeq();
        long now = options.clock().millis();
        for (long seq = recovered.firstSeq(); seq < recovered.nextSeq(); seq++) {
            Path file = directory.resolve(RecordFormat.fileName(seq));
            if ((active == null || seq != active.seq) && Files.exists(file)) {
                retiredAt.put(seq, lastWritten(file, now)); // a hole in the numbers holds nothing to wait for
            }
        }
    }

    /**
     * When a segment replayed at start was last written (its file's modification time), so that a restart does not
     * make old segments new again; {@code now} when that is later or cannot be told.
     */
    private static long lastWritten(Path file, long now) {
        try {
            return Math.min(now, Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            return now;
        }
    }

    /** The segment to append to: a new one when there is none or the current one is full. */
    ActiveSegment current() throws IOException {
        if (active != null && active.size >= options.segmentSize()) {
            retire();
        }
        if (active == null) {
            active = create(nextSeq++);
            index.addSegment(active.seq);
            rolled = true;
            compact();
        }
        return active;
    }

    /**
     * Once per new segment, the unfinished messages that keep the oldest segments on disk and are few enough to
     * be written again (at most a quarter of a segment's size for each segment that goes: see {@link
     * SpoolIndex#pinning}), a quarter of a segment at a time, so that the spool holds about four times its
     * unfinished mail at most, and a few segments; none otherwise.
     */
    List<SpooledMessage> relocations() {
        if (!rolled || active == null) {
            return List.of();
        }
        rolled = false;
        long cutoff = options.clock().millis() - UNFINISHED_FOR.toMillis();
        long oldEnough = -1;
        for (Map.Entry<Long, Long> r : retiredAt.entrySet()) {
            if (r.getValue() > cutoff) {
                break;
            }
            oldEnough = r.getKey();
        }
        // Two segments at least between a candidate and the one appended to: one just filled is not worth it.
        long newestCandidate = Math.min(active.seq - 3, oldEnough);
        return newestCandidate < 0
                ? List.of()
                : index.pinning(active.seq, newestCandidate, options.segmentSize() / 4, options.segmentSize() / 4);
    }

    /**
     * Removes a failed batch's bytes so no half-written record stays. The segment is retired either
     * way: after a failed write or force its unforced pages cannot be trusted, and if the cut failed
     * too, replay's checks skip the garbage at its end.
     */
    void rollBack(long before, IOException cause) {
        long seq = active.seq;
        try {
            active.file.truncate(before);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        retire();
        if (before <= RecordFormat.SEGMENT_HEADER_SIZE) {
            // Made for this batch and holding nothing else: it goes with the batch, or a disk that stays
            // full would leave one empty segment behind per failed write.
            readers.forget(seq);
            try {
                Files.deleteIfExists(directory.resolve(RecordFormat.fileName(seq)));
                // Its number goes to the next segment: a hole in the numbers is taken at replay for a lost segment.
                if (seq == nextSeq - 1) {
                    nextSeq = seq;
                }
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    void retire() {
        if (active != null) {
            retiredAt.put(active.seq, options.clock().millis());
            closeQuietly(active.file);
            active = null;
        }
    }

    private ActiveSegment create(long seq) throws IOException {
        Path file = directory.resolve(RecordFormat.fileName(seq));
        long nonce = random.nextLong();
        SpoolStorage.Segment segment = options.storage().open(file);
        try {
            segment.truncate(0);
            segment.append(new ByteBuffer[] {RecordFormat.segmentHeader(nonce)});
            segment.force();
            return new ActiveSegment(seq, segment, nonce, RecordFormat.SEGMENT_HEADER_SIZE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(segment);
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Deletes the oldest segments once every message stored in them is finished. With nothing unfinished left, the
     * segment appended to goes too when it is large or the disk is short of its size, the next batch starting a
     * new one: otherwise a disk the spool itself filled stays full once its mail is delivered, the room held by
     * records of finished mail in the segment still appended to.
     */
    void compact() {
        if (active != null
                && active.size > RecordFormat.SEGMENT_HEADER_SIZE
                && index.size() == 0
                && (active.size >= options.segmentSize() / 4
                        || directory.toFile().getUsableSpace() < active.allocated)) {
            retire();
        }
        long activeSeq = active == null ? Long.MAX_VALUE : active.seq;
        for (long seq : index.takeFinishedSegments(activeSeq)) {
            retiredAt.remove(seq);
            Path file = directory.resolve(RecordFormat.fileName(seq));
            readers.forget(seq);
            try {
                Files.deleteIfExists(file);
                LOG.debug("spool: deleted finished segment {}", file);
            } catch (IOException e) {
                LOG.warn("spool: could not delete finished segment {}: {}", file, e.toString());
            }
        }
    }

    private static void closeQuietly(SpoolStorage.Segment segment) {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.warn("spool: closing a segment failed: {}", e.toString());
        }
    }
}
