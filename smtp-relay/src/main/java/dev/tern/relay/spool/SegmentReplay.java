package dev.tern.relay.spool;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one segment file into the index. A record whose magic, type, length or CRC32C is wrong, or
 * whose metadata does not decode, is skipped with a WARN and never surfaces; replay then scans for
 * the next magic whose record checks out, so good records after a corrupt one survive. Zeros from a
 * point to the end of the file are the writer's preallocated space, not damage: replay ends there.
 */
final class SegmentReplay {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentReplay.class);
    private static final int CHUNK = 64 * 1024;

    /**
     * What a segment held.
     *
     * @param usable false when the segment header is missing or foreign: nothing was read from it
     * @param version the segment's format version (see {@link RecordFormat})
     * @param nonce the segment's checksum nonce
     * @param size the file's size
     * @param validEnd where the last good record ends: anything after it is preallocated zeros or a torn tail
     * @param zeroTail whether everything after {@code validEnd} is zeros (or nothing)
     * @param records good records applied
     * @param corrupt torn or corrupt regions skipped
     * @param skipped the octets of those regions
     */
    record Result(
            boolean usable,
            int version,
            long nonce,
            long size,
            long validEnd,
            boolean zeroTail,
            int records,
            int corrupt,
            long skipped) {}

    private final Path file;
    private final long seq;
    private final SpoolIndex index;
    /** The state record read last, which the next alike one shares. */
    private RecipientState lastState;

    private final ByteBuffer header = ByteBuffer.allocate(RecordFormat.HEADER_SIZE);
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    private final ByteBuffer scan = ByteBuffer.allocateDirect(CHUNK);
    private long nonce;
    private int version;

    private SegmentReplay(Path file, long seq, SpoolIndex index) {
        this.file = file;
        this.seq = seq;
        this.index = index;
    }

    static Result replay(Path file, long seq, SpoolIndex index) throws IOException {
        return new SegmentReplay(file, seq, index).run();
    }

    private Result run() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(RecordFormat.SEGMENT_HEADER_SIZE);
            if (size < RecordFormat.SEGMENT_HEADER_SIZE || !readFully(ch, head, 0)) {
                return new Result(false, 0, 0, size, 0, false, 0, 0, 0);
            }
            head.flip();
            if (head.getInt() != RecordFormat.SEGMENT_MAGIC || !RecordFormat.isReadableVersion(head.get(4))) {
                LOG.warn("spool: {} is not a Tern segment this version reads (bad header); leaving it alone", file);
                return new Result(false, 0, 0, size, 0, false, 0, 1, size);
            }
            version = head.get(4);
            nonce = head.getLong(8);
            index.addSegment(seq);
            long pos = RecordFormat.SEGMENT_HEADER_SIZE;
            long validEnd = pos;
            int records = 0;
            int corrupt = 0;
            long skipped = 0;
            boolean zeroTail = true;
            while (pos < size) {
                long end = readRecord(ch, pos, size, true);
                if (end > 0) {
                    records++;
                    pos = end;
                    validEnd = end;
                    continue;
                }
                if (zerosToEnd(ch, pos, size)) {
                    break;
                }
                zeroTail = false;
                LOG.warn("spool: skipping a torn or corrupt record in {} at offset {}", file, pos);
                corrupt++;
                long from = pos;
                pos = resync(ch, pos + 1, size);
                skipped += pos - from;
            }
            return new Result(true, version, nonce, size, validEnd, zeroTail, records, corrupt, skipped);
        }
    }

    /**
     * Checks the record at {@code pos} and, when {@code apply}, feeds it to the index.
     *
     * @return the offset after the record, or -1 when it is torn or corrupt
     */
    private long readRecord(FileChannel ch, long pos, long size, boolean apply) throws IOException {
        if (size - pos < RecordFormat.HEADER_SIZE || !readFully(ch, header.clear(), pos)) {
            return -1;
        }
        header.flip();
        int magic = header.getInt();
        byte type = header.get();
        long length = Integer.toUnsignedLong(header.getInt());
        int expectedCrc = header.getInt();
        long payload = pos + RecordFormat.HEADER_SIZE;
        if (magic != RecordFormat.MAGIC || !RecordFormat.isKnownType(type) || length > size - payload) {
            return -1;
        }
        CRC32C crc = RecordFormat.startCrc(nonce, type, (int) length);
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(CHUNK, length - done);
            chunk.clear().limit(n);
            if (!readFully(ch, chunk, payload + done)) {
                return -1;
            }
            crc.update(chunk.flip());
            done += n;
        }
        if ((int) crc.getValue() != expectedCrc) {
            return -1;
        }
        try {
            decode(ch, type, payload, (int) length, apply);
        } catch (RuntimeException e) {
            // The checksum held but the metadata does not decode: a format we do not know. Skip it.
            return -1;
        }
        return payload + length;
    }

    private void decode(FileChannel ch, byte type, long payload, int length, boolean apply) throws IOException {
        long metaPos = payload;
        int metaLength = length;
        if (type == RecordFormat.MESSAGE) {
            ByteBuffer prefix = ByteBuffer.allocate(4);
            if (length < 4 || !readFully(ch, prefix, payload)) {
                throw new IllegalArgumentException("message record too short");
            }
            metaLength = prefix.getInt(0);
            metaPos = payload + 4;
            if (metaLength < 0 || metaLength > length - 4) {
                throw new IllegalArgumentException("bad meta length");
            }
        }
        ByteBuffer metaBytes = ByteBuffer.allocate(metaLength);
        if (!readFully(ch, metaBytes, metaPos)) {
            throw new IllegalArgumentException("meta cut short");
        }
        ByteBuf meta = Unpooled.wrappedBuffer(metaBytes.flip());
        try {
            switch (type) {
                case RecordFormat.MESSAGE -> {
                    SpoolCodec.MessageMeta m = SpoolCodec.readMessage(meta);
                    long contentOffset = metaPos + metaLength;
                    int contentLength = length - 4 - metaLength;
                    if (apply) {
                        index.addMessage(m.id(), m.arrivalMillis(), m.envelope(), seq, contentOffset, contentLength);
                    }
                }
                case RecordFormat.STATE -> {
                    SpoolCodec.StateMeta s = StateCodec.read(meta, version);
                    if (apply) {
                        // An attempt's states follow one another: alike, they share one object, as they did
                        // before the restart (a spool of deferred mail must fit the heap it was written from).
                        lastState = RecipientState.shared(s.state(), lastState);
                        index.applyState(s.id(), s.recipient(), lastState);
                    }
                }
                case RecordFormat.HOLD -> {
                    if (version == RecordFormat.FORMAT_ONE) {
                        throw new IllegalArgumentException("a hold record in a format 1 segment");
                    }
                    StateCodec.HoldMeta h = StateCodec.readHold(meta);
                    if (apply) {
                        index.applyHold(h.id(), h.held());
                    }
                }
                default -> {
                    var id = SpoolCodec.readDone(meta);
                    if (apply) {
                        index.applyDone(id);
                    }
                }
            }
        } finally {
            meta.release();
        }
    }

    /** The offset of the next record at or after {@code from} that checks out, or {@code size}. */
    private long resync(FileChannel ch, long from, long size) throws IOException {
        long base = from;
        while (size - base >= RecordFormat.HEADER_SIZE) {
            int n = (int) Math.min(CHUNK, size - base);
            scan.clear().limit(n);
            if (!readFully(ch, scan, base)) {
                break;
            }
            for (int i = 0; i + 4 <= n; i++) {
                if (scan.getInt(i) == RecordFormat.MAGIC && readRecord(ch, base + i, size, false) > 0) {
                    return base + i;
                }
            }
            // Step back three bytes so a magic split across two chunks is still found.
            base += Math.max(1, n - 3);
        }
        return size;
    }

    /** Whether every octet from {@code from} to the end of the file is zero. */
    private boolean zerosToEnd(FileChannel ch, long from, long size) throws IOException {
        for (long base = from; base < size; ) {
            int n = (int) Math.min(CHUNK, size - base);
            scan.clear().limit(n);
            if (!readFully(ch, scan, base)) {
                return false;
            }
            scan.flip();
            while (scan.remaining() >= Long.BYTES) {
                if (scan.getLong() != 0) {
                    return false;
                }
            }
            while (scan.hasRemaining()) {
                if (scan.get() != 0) {
                    return false;
                }
            }
            base += n;
        }
        return true;
    }

    private static boolean readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        long at = pos;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }
}
