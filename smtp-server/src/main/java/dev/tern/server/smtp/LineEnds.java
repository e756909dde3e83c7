package dev.tern.server.smtp;

import io.netty.buffer.ByteBuf;

/**
 * Whether a message taken as raw octets (BDAT, RFC 3030) has a bare CR or LF: a CR not followed by LF, or
 * an LF not preceded by CR (RFC 5321 2.3.8). DATA finds them while it reads; a chunked message is checked
 * whole once its last chunk is in, so a CRLF split between two chunks is one line end. Each kind of octet
 * is found with {@link ByteBuf#indexOf}, several octets at a time.
 */
final class LineEnds {
    private LineEnds() {}

    static boolean hasBare(ByteBuf message) {
        int start = message.readerIndex();
        int end = message.writerIndex();
        for (int lf = message.indexOf(start, end, (byte) '\n');
                lf >= 0;
                lf = message.indexOf(lf + 1, end, (byte) '\n')) {
            if (lf == start || message.getByte(lf - 1) != '\r') {
                return true;
            }
        }
        for (int cr = message.indexOf(start, end, (byte) '\r');
                cr >= 0;
                cr = message.indexOf(cr + 1, end, (byte) '\r')) {
            if (cr + 1 == end || message.getByte(cr + 1) != '\n') {
                return true;
            }
        }
        return false;
    }
}
