package dev.tern.smtp.codec;

import io.netty.buffer.ByteBuf;

/**
 * Follows the lines of a DATA body across reads: stops at a "." that begins a line, and records
 * overlong lines and bare CR or LF. Used by {@link SmtpLineDecoder} in data mode.
 */
final class BodyLineScanner {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

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
     * caller removes it or ends the data), or -1 when the whole range is consumed. Finds line ends with
     * {@link ByteBuf#indexOf}, which reads several octets at a time, instead of visiting every octet.
     */
    int scan(ByteBuf in, int from, int to) {
        int i = from;
        int lf = -1;
        while (i < to) {
            if (position == Position.AFTER_CR) {
                if (in.getByte(i) == LF) {
                    count(1);
                    position = Position.LINE_START;
                    lineLength = 0;
                    i++;
                    continue;
                }
                bareLineEnding = true; // RFC 5321 2.3.8: CR not followed by LF
                position = Position.IN_LINE;
            }
            if (position == Position.LINE_START && in.getByte(i) == '.') {
                return i;
            }
            // The next LF is searched once and kept, so many bare CRs in a line cost no rescans.
            if (lf < i) {
                lf = in.indexOf(i, to, LF);
                if (lf < 0) {
                    lf = Integer.MAX_VALUE;
                }
            }
            int lineEnd = Math.min(lf, to);
            int cr = in.indexOf(i, lineEnd, CR);
            if (cr >= 0) {
                count(cr - i + 1);
                position = Position.AFTER_CR;
                i = cr + 1;
            } else if (lf < to) {
                count(lf - i + 1);
                bareLineEnding = true; // RFC 5321 2.3.8: LF not preceded by CR, not a line end
                position = Position.IN_LINE;
                i = lf + 1;
            } else {
                count(to - i);
                position = Position.IN_LINE;
                i = to;
            }
        }
        return -1;
    }

    private void count(int octets) {
        lineLength += octets;
        if (lineLength > maxLineLength) {
            lineTooLong = true;
        }
    }
}
