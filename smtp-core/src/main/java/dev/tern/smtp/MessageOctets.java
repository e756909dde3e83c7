package dev.tern.smtp;

import io.netty.buffer.ByteBuf;

/**
 * Two questions every part of Tern asks of a message's octets (the spool holds CRLF line ends): where its
 * header section ends, and whether anything in it is outside US-ASCII (RFC 6152, RFC 6531).
 */
public final class MessageOctets {
    private MessageOctets() {}

    /**
     * Where the header section of {@code content} (RFC 5322 2.1) ends: the index just past the CRLF of its last
     * field, so the empty line that ends it starts there; {@code content}'s reader index when it opens with that
     * empty line; its writer index when there is none.
     */
    public static int headerEnd(ByteBuf content) {
        int start = content.readerIndex();
        int end = content.writerIndex();
        if (end - start >= 2 && content.getByte(start) == '\r' && content.getByte(start + 1) == '\n') {
            return start;
        }
        for (int i = start; i + 3 < end; i++) {
            if (content.getByte(i) == '\r'
                    && content.getByte(i + 1) == '\n'
                    && content.getByte(i + 2) == '\r'
                    && content.getByte(i + 3) == '\n') {
                return i + 2;
            }
        }
        return end;
    }

    /** Whether an octet of {@code content} in [from, to) is over 127. */
    public static boolean isEightBit(ByteBuf content, int from, int to) {
        int i = from;
        // Eight octets at a time: a relayed message is looked at whole before it goes.
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            if ((content.getLong(i) & 0x8080808080808080L) != 0) {
                return true;
            }
        }
        for (; i < to; i++) {
            if (content.getByte(i) < 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether an octet of {@code bytes} in [from, to) is over 127. */
    public static boolean isEightBit(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether any octet of {@code bytes} is over 127. */
    public static boolean isEightBit(byte[] bytes) {
        return isEightBit(bytes, 0, bytes.length);
    }
}
