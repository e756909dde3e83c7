package dev.tern.smtp.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Follows the lines of a DATA body across reads: stops at a "." that begins a line, and records
 * overlong lines and bare CR or LF. Used by {@link SmtpLineDecoder} in data mode.
 */
final class BodyLineScanner {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;

    private enum Position {
        LINE_START,
        AFTER_DOT,
        IN_LINE,
        AFTER_CR
    }

    private final int maxLineLength;
    private Position position = Position.LINE_START;
    private int lineLength;
    private boolean lineTooLong;
    private boolean bareLineEnding;

    BodyLineScanner(int maxLineLength) {
        this.maxLineLength = maxLineLength;
    }

    void reset() {
        // RFC 5321 4.1.1.4: the CRLF ending the DATA command precedes the first line.
        position = Position.LINE_START;
        lineLength = 0;
        lineTooLong = false;
        bareLineEnding = false;
    }

    boolean atLineStart() {
        return position == Position.LINE_START;
    }

    boolean afterDot() {
        return position == Position.AFTER_DOT;
    }

    void dotRemoved() {
        // RFC 5321 4.5.3.1.6: the removed dot does not count toward the line length.
        position = Position.AFTER_DOT;
    }

    DataEnd end() {
        return new DataEnd(lineTooLong, bareLineEnding);
    }

    /**
     * Follows the lines in {@code [from, to)} and returns the index of a "." that begins a line (the
     * caller removes it or ends the data), or -1 when the whole range is consumed. Each octet is looked
     * at once: the next CR or LF is found eight octets at a time.
     */
    int scan(ByteBuf in, int from, int to) {
        // One view of the range for the whole scan: ByteBuffer reads are intrinsics, ByteBuf reads are not.
        // The decoder's cumulation is one buffer, so the view shares its memory (no copy).
        ByteBuffer view = in.nioBuffer(from, to - from).order(ByteOrder.LITTLE_ENDIAN);
        int end = to - from;
        int i = 0;
        while (i < end) {
            if (position == Position.AFTER_CR) {
                if (view.get(i) == LF) {
                    count(1);
                    position = Position.LINE_START;
                    lineLength = 0;
                    i++;
                    continue;
                }
                bareLineEnding = true; // RFC 5321 2.3.8: CR not followed by LF
                position = Position.IN_LINE;
            }
            if (position == Position.LINE_START && view.get(i) == '.') {
                return from + i;
            }
            int stop = nextLineBreak(view, i, end);
            if (stop < 0) {
                count(end - i);
                position = Position.IN_LINE;
                i = end;
            } else if (view.get(stop) == CR) {
                count(stop - i + 1);
                position = Position.AFTER_CR;
                i = stop + 1;
            } else {
                count(stop - i + 1);
                bareLineEnding = true; // RFC 5321 2.3.8: LF not preceded by CR, not a line end
                position = Position.IN_LINE;
                i = stop + 1;
            }
        }
        return -1;
    }

    /** The index of the first CR or LF in {@code [from, to)} of {@code b} (little-endian), or -1. */
    static int nextLineBreak(ByteBuffer b, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = b.getLong(i);
            long found = zeroOctets(word ^ CRS) | zeroOctets(word ^ LFS);
            if (found != 0) {
                // Little-endian: the lowest flagged octet is the first in the buffer.
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            byte c = b.get(i);
            if (c == CR || c == LF) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Flags the zero octets of {@code v} with their high bit. Octets above the first zero one may be
     * flagged wrongly (a borrow runs on), which does not matter: only the lowest flag is read.
     */
    private static long zeroOctets(long v) {
        return (v - 0x0101010101010101L) & ~v & 0x8080808080808080L;
    }

    private void count(int octets) {
        lineLength += octets;
        if (lineLength > maxLineLength) {
            lineTooLong = true;
        }
    }
}
