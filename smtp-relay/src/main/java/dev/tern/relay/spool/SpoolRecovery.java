package dev.tern.relay.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a spool directory back at open: replays every segment in order into the index, cuts a torn
 * tail off the last segment so new records follow a clean end, and hands that segment on as the
 * one to append to.
 */
final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    /**
     * The outcome.
     *
     * @param active the segment to append to, or null when the writer must start a new one
     * @param firstSeq the sequence number of the oldest segment replayed ({@code nextSeq} when there was none)
     * @param nextSeq the sequence number for the next new segment
     */
    record Recovered(ActiveSegment active, long firstSeq, long nextSeq) {}

    /** Where copies of segments that could not be read whole are kept, inside the spool directory. */
    static final String CORRUPT = "corrupt";

    private SpoolRecovery() {}

    static Recovered recover(Path directory, SpoolOptions options, SpoolIndex index) throws IOException {
        List<Long> seqs = listSegments(directory);
        int records = 0;
        int corrupt = 0;
        ActiveSegment active = null;
        long nextSeq = seqs.isEmpty() ? 1 : seqs.get(seqs.size() - 1) + 1;
        for (int i = 0; i < seqs.size(); i++) {
            long seq = seqs.get(i);
            boolean last = i == seqs.size() - 1;
            if (i > 0 && seq != seqs.get(i - 1) + 1) {
                // Segments go oldest first and a new one takes the next number: a hole is a segment removed by hand
                // or lost with the disk, and with it the mail of that stretch.
                LOG.error(
                        "spool {}: segment(s) {} to {} are missing between {} and {}; the unfinished messages stored"
                                + " in them are not delivered unless the files are put back",
                        directory,
                        seqs.get(i - 1) + 1,
                        seq - 1,
                        RecordFormat.fileName(seqs.get(i - 1)),
                        RecordFormat.fileName(seq));
            }
            Path file = directory.resolve(RecordFormat.fileName(seq));
            SegmentReplay.Result r = SegmentReplay.replay(file, seq, index);
            records += r.records();
            corrupt += r.corrupt();
            if (r.usable() && r.corrupt() > 0) {
                keepCopy(directory, file, r, last);
            }
            if (!r.usable() && r.size() < RecordFormat.SEGMENT_HEADER_SIZE) {
                if (last) {
                    // Cut off while being created: it holds no record, and its number is given to the next one.
                    Files.deleteIfExists(file);
                    nextSeq = seq;
                } else {
                    // Only the newest segment can be cut off while being created: this one was emptied or cut.
                    corrupt++;
                    moveAside(directory, file, r);
                }
            } else if (r.usable() && r.version() == RecordFormat.SEGMENT_VERSION && last) {
                // A segment of an older format is only read: new records go to a new segment.
                active = reopenLast(file, seq, r, options);
            }
        }
        LOG.info(
                "spool {}: replayed {} segments, {} records, {} pending messages, {} torn or corrupt records skipped",
                directory,
                seqs.size(),
                records,
                index.size(),
                corrupt);
        return new Recovered(active, seqs.isEmpty() ? nextSeq : seqs.get(0), nextSeq);
    }

    /**
     * Copies a segment that replay could not read whole into {@value #CORRUPT}/ before anything cuts or
     * compacts it, as Postfix moves a damaged queue file to its {@code corrupt} queue: a torn tail after a
     * power loss holds only mail never acknowledged, but damage elsewhere (a bad sector, a flipped bit in
     * the header's nonce, which every record's checksum covers) may hold acknowledged messages that only a
     * person can still get out.
     */
    private static void keepCopy(Path directory, Path file, SegmentReplay.Result r, boolean newest) throws IOException {
        Path corrupt = Files.createDirectories(directory.resolve(CORRUPT));
        Path copy = corrupt.resolve(file.getFileName());
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        FileSpoolStorage.syncDirectory(corrupt);
        FileSpoolStorage.syncDirectory(directory);
        LOG.error(
                "spool: {} could not be read whole ({} damaged region(s), {} octets skipped; its last good record"
                        + " ends at byte {} of {}); a copy is kept as {}. {}",
                file,
                r.corrupt(),
                r.skipped(),
                r.validEnd(),
                r.size(),
                copy,
                newest
                        ? "A torn tail after a power loss holds only mail never acknowledged; other damage holds"
                                + " messages that are not delivered"
                        : "It is not the newest segment, which alone a crash can leave torn: the damage holds"
                                + " acknowledged messages that are not delivered");
    }

    /** Moves a segment too short to hold its own header, but not the newest, into {@value #CORRUPT}/. */
    private static void moveAside(Path directory, Path file, SegmentReplay.Result r) throws IOException {
        Path corrupt = Files.createDirectories(directory.resolve(CORRUPT));
        Path moved = corrupt.resolve(file.getFileName());
        Files.move(file, moved, StandardCopyOption.REPLACE_EXISTING);
        FileSpoolStorage.syncDirectory(corrupt);
        FileSpoolStorage.syncDirectory(directory);
        LOG.error(
                "spool: {} holds {} octets, less than a segment's header, and is not the newest segment (only the"
                        + " newest can be cut off while being created): it was emptied or cut, and the unfinished"
                        + " messages it stored are not delivered; moved to {}",
                file,
                r.size(),
                moved);
    }

    private static ActiveSegment reopenLast(Path file, long seq, SegmentReplay.Result r, SpoolOptions options)
            throws IOException {
        SpoolStorage.Segment segment = options.storage().open(file);
        try {
            if (r.size() > r.validEnd() && r.zeroTail()) {
                // Zeros the writer wrote ahead of its records: appends go on after the last record.
                segment.truncate(r.validEnd());
            } else if (r.size() > r.validEnd()) {
                // A torn tail from a crash mid-write: new records must follow the last good one.
                LOG.warn("spool: cutting {} back from {} to {} bytes", file, r.size(), r.validEnd());
                segment.truncate(r.validEnd());
                segment.force();
            }
            if (r.validEnd() >= options.segmentSize()) {
                segment.close();
                return null;
            }
            return new ActiveSegment(seq, segment, r.nonce(), r.validEnd());
        } catch (IOException | RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    private static List<Long> listSegments(Path directory) throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(p -> {
                long seq = RecordFormat.parseSeq(p.getFileName().toString());
                if (seq >= 0) {
                    seqs.add(seq);
                }
            });
        }
        seqs.sort(null);
        return seqs;
    }
}
