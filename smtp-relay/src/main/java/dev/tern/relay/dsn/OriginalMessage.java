package dev.tern.relay.dsn;

import dev.tern.smtp.MessageOctets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;

/**
 * The part of the original message a report returns (RFC 3464 2, third part): its header section
 * or the whole message. Reads the caller's buffer without moving its indexes.
 *
 * @param bytes CRLF lines, ending with CRLF
 * @param full true when this is the whole message
 * @param eightBit true when any octet is outside US-ASCII
 */
record OriginalMessage(byte[] bytes, boolean full, boolean eightBit) {

    /**
     * The most of a message a report returns whole (Postfix's {@code bounce_size_limit}): a larger one goes back
     * as its headers, so that a report stays far below any size limit on its way, the sender's own included
     * (the message it returns passed that limit once, the report around it need not).
     */
    static final int MAX_RETURNED_WHOLE = 50_000;

    /** The whole message when asked and possible, else the header section (see package docs). */
    static OriginalMessage of(ByteBuf content, boolean wantFull) {
        if (wantFull && content.readableBytes() <= MAX_RETURNED_WHOLE) {
            byte[] all = crlfLineEnds(ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes()));
            if (longestLine(all) <= MimeLines.HARD_LIMIT) {
                byte[] ended = endWithCrlf(all);
                return new OriginalMessage(ended, true, isEightBit(ended));
            }
        }
        byte[] header = foldLongLines(endWithCrlf(crlfLineEnds(headerSection(content))));
        return new OriginalMessage(header, false, isEightBit(header));
    }

    /** The header section (RFC 5322 2.1): everything before the first empty line, or all of it. */
    static byte[] headerSection(ByteBuf content) {
        return ByteBufUtil.getBytes(
                content, content.readerIndex(), MessageOctets.headerEnd(content) - content.readerIndex());
    }

    /** True when any octet is outside US-ASCII. */
    static boolean isEightBit(byte[] bytes) {
        return MessageOctets.isEightBit(bytes);
    }

    /** Does {@code bytes} contain {@code needle}? Used to pick a MIME boundary no part contains. */
    boolean contains(byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static int longestLine(byte[] bytes) {
        int longest = 0;
        int lineStart = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                int length = i - lineStart - (i > lineStart && bytes[i - 1] == '\r' ? 1 : 0);
                longest = Math.max(longest, length);
                lineStart = i + 1;
            }
        }
        return Math.max(longest, bytes.length - lineStart);
    }

    /**
     * Every bare CR and bare LF as CRLF. A message received raw (BDAT) may hold them; the report must not:
     * RFC 5322 2.3 forbids them, and a bare LF before "." CRLF is how a message is smuggled past a
     * lenient next hop (CVE-2023-51764).
     */
    static byte[] crlfLineEnds(byte[] bytes) {
        int bare = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (isBareLineEnd(bytes, i)) {
                bare++;
            }
        }
        if (bare == 0) {
            return bytes;
        }
        byte[] out = new byte[bytes.length + bare];
        int o = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (isBareLineEnd(bytes, i)) {
                out[o++] = '\r';
                out[o++] = '\n';
            } else {
                out[o++] = bytes[i];
            }
        }
        return out;
    }

    /** A CR not followed by LF, or an LF not preceded by CR. */
    private static boolean isBareLineEnd(byte[] bytes, int i) {
        return bytes[i] == '\r'
                ? i + 1 == bytes.length || bytes[i + 1] != '\n'
                : bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r');
    }

    private static byte[] endWithCrlf(byte[] bytes) {
        int n = bytes.length;
        if (n == 0 || (n >= 2 && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')) {
            return bytes;
        }
        byte[] ended = new byte[n + 2];
        System.arraycopy(bytes, 0, ended, 0, n);
        ended[n] = '\r';
        ended[n + 1] = '\n';
        return ended;
    }

    /** Header lines over 998 octets are folded (CRLF SP inserted, RFC 5322 2.2.3) so the report stays legal. */
    private static byte[] foldLongLines(byte[] bytes) {
        if (longestLine(bytes) <= MimeLines.HARD_LIMIT) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
        int column = 0;
        for (byte b : bytes) {
            if (b == '\r' || b == '\n') {
                column = 0;
            } else if (column >= MimeLines.HARD_LIMIT - 4
                    && ((b & 0xC0) != 0x80 || column >= MimeLines.HARD_LIMIT - 1)) {
                // Fold a little early, and never inside a UTF-8 sequence (continuation octets are 10xxxxxx,
                // at most three in a row); a longer run is no UTF-8, and is folded at the limit all the same.
                out.write('\r');
                out.write('\n');
                out.write(' ');
                column = 1;
            }
            if (b != '\r' && b != '\n') {
                column++;
            }
            out.write(b);
        }
        return out.toByteArray();
    }
}
