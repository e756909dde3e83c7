package dev.tern.smtp.codec;

import io.netty.util.ByteProcessor;

/**
 * Follows the lines of a DATA body across reads: stops at a "." that begins a line, and records
 * overlong lines and bare CR or LF. Used by {@link SmtpLineDecoder} in data mode.
 */
final class BodyLineScanner implements ByteProcessor {

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

    @Override
    public boolean process(byte b) {
        if (position == Position.AFTER_CR) {
            if (b == LF) {
                count();
                position = Position.LINE_START;
                lineLength = 0;
                return true;
            }
            bareLineEnding = true; // RFC 5321 2.3.8: CR not followed by LF
        } else if (position == Position.LINE_START && b == '.') {
            return false; // the caller removes the dot or ends the data
        }
        count();
        if (b == CR) {
            position = Position.AFTER_CR;
        } else {
            if (b == LF) {
                bareLineEnding = true; // RFC 5321 2.3.8: LF not preceded by CR, not a line end
            }
            position = Position.IN_LINE;
        }
        return true;
    }

    private void count() {
        if (++lineLength > maxLineLength) {
            lineTooLong = true;
        }
    }
}
