package dev.tern.server.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * What the server needs to know of a message's header section (RFC 5322 2.2): how many trace
 * (Received) fields it has, for loop detection (RFC 5321 6.3), and whether Message-ID and Date are
 * present, for submission (RFC 6409 8.2, 8.3). Reads the buffer in place; copies nothing.
 */
record HeaderScan(int receivedCount, boolean hasMessageId, boolean hasDate) {

    private static final byte[] RECEIVED = ascii("received:");
    private static final byte[] MESSAGE_ID = ascii("message-id:");
    private static final byte[] DATE = ascii("date:");

    static HeaderScan of(ByteBuf message) {
        int received = 0;
        boolean messageId = false;
        boolean date = false;
        int index = message.readerIndex();
        int end = message.writerIndex();
        while (index < end) {
            int lf = ByteBufUtil.indexOf(message, index, end, (byte) '\n');
            int lineEnd = lf < 0 ? end : lf + 1;
            int length = lineEnd - index;
            // The header section ends at the first empty line (RFC 5322 2.1).
            if (length <= 2 && (message.getByte(index) == '\r' || message.getByte(index) == '\n')) {
                break;
            }
            if (startsWithIgnoreCase(message, index, lineEnd, RECEIVED)) {
                received++;
            } else if (startsWithIgnoreCase(message, index, lineEnd, MESSAGE_ID)) {
                messageId = true;
            } else if (startsWithIgnoreCase(message, index, lineEnd, DATE)) {
                date = true;
            }
            index = lineEnd;
        }
        return new HeaderScan(received, messageId, date);
    }

    private static boolean startsWithIgnoreCase(ByteBuf buf, int from, int to, byte[] lowerPrefix) {
        if (to - from < lowerPrefix.length) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length; i++) {
            int b = buf.getByte(from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
