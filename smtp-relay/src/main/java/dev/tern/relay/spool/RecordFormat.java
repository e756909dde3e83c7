package dev.tern.relay.spool;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of segment files.
 *
 * <p>A segment starts with a 16-byte header: {@code [segment magic u32][version u8][3 zero bytes]
 * [nonce u64]}. Records follow: {@code [magic u32][type u8][length u32][crc32c u32][payload]}. The
 * CRC32C covers the segment nonce, type, length and payload: seeding it with a random per-segment
 * nonce means a record forged inside a message's content (which replay may scan through while
 * resynchronising after a corrupt record) cannot pass the check.
 *
 * <p>Payloads: MESSAGE = {@code [meta length u32][meta][content]}, STATE, HOLD and DONE = meta only;
 * meta is encoded by {@link SpoolCodec} and, for STATE and HOLD, {@link StateCodec}. The segment's version says
 * how STATE metadata reads: format 1 segments (an older Tern's) are still replayed, but new records
 * only ever go to a segment of the current version.
 */
final class RecordFormat {

    static final int SEGMENT_MAGIC = 0x544E5347; // "TNSG"
    /** Recipient states as one string ({@link FormatOneState}); read, never written. */
    static final byte FORMAT_ONE = 1;
    /** Recipient states as typed fields ({@link StateCodec}). */
    static final byte SEGMENT_VERSION = 2;

    static final int SEGMENT_HEADER_SIZE = 16;

    static final int MAGIC = 0x544E5231; // "TNR1"
    static final int HEADER_SIZE = 13;
    static final int CRC_OFFSET = 9;

    static final byte MESSAGE = 1;
    static final byte STATE = 2;
    static final byte DONE = 3;
    /** The operator held or released a message (format 2 only; an older Tern skips it as unknown). */
    static final byte HOLD = 4;

    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".log";

    private RecordFormat() {}

    static boolean isReadableVersion(int version) {
        return version == FORMAT_ONE || version == SEGMENT_VERSION;
    }

    static boolean isKnownType(int type) {
        return type == MESSAGE || type == STATE || type == DONE || type == HOLD;
    }

    /** A new segment's header. */
    static ByteBuffer segmentHeader(long nonce) {
        ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER_SIZE);
        b.putInt(SEGMENT_MAGIC)
                .put(SEGMENT_VERSION)
                .put((byte) 0)
                .putShort((short) 0)
                .putLong(nonce);
        return b.flip();
    }

    /** Starts a record's checksum; the payload is added with {@link CRC32C#update(ByteBuffer)}. */
    static CRC32C startCrc(long nonce, byte type, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer prefix = ByteBuffer.allocate(13);
        prefix.putLong(nonce).put(type).putInt(length).flip();
        crc.update(prefix);
        return crc;
    }

    /** {@code segment-0000000000000042.log}: zero-padded so names sort like numbers. */
    static String fileName(long seq) {
        String digits = Long.toString(seq);
        return PREFIX + "0".repeat(Math.max(0, 16 - digits.length())) + digits + SUFFIX;
    }

    /** The sequence number in a segment file name, or -1 when the name is not a segment's. */
    static long parseSeq(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        String digits = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
        if (digits.length() != 16) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }
}
