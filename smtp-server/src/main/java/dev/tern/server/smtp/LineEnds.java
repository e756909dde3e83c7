package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The line checks DATA makes while it reads, made on a message taken as raw octets (BDAT, RFC 3030): a bare
 * CR or LF (a CR not followed by LF, or an LF not preceded by CR, RFC 5321 2.3.8), and a text line longer
 * than the listener takes (RFC 5321 4.5.3.1.6; BDAT carries text lines too unless BODY=BINARYMIME, which
 * Tern does not offer). A chunked message is checked whole once its last chunk is in, so a CRLF split
 * between two chunks is one line end. Each kind of octet is found with {@link ByteBuf#indexOf}, several
 * octets at a time.
 *
 * <p>RFC 3030 lets the content end anywhere; a message whose last line has no CRLF is kept with one added,
 * as Postfix's cleanup ends the last line, so the spool, local delivery and relaying all see the same
 * octets. A content ending in a bare CR is refused, as a bare CR anywhere else is: the client did not send
 * the LF that would make it a line end.
 */
final class LineEnds {
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("\r\n", StandardCharsets.US_ASCII).asReadOnly());

    private LineEnds() {}

    /**
     * The refusal of {@code message}, or null when its lines are all ended by CRLF and none is longer than
     * {@code maxLine} octets, CRLF included; {@code tooLong} names the limit.
     */
    static SmtpReply refusal(ByteBuf message, int maxLine, SmtpReply tooLong) {
        int start = message.readerIndex();
        int end = message.writerIndex();
        boolean overLong = false;
        int lineStart = start;
        for (int lf = message.indexOf(start, end, (byte) '\n');
                lf >= 0;
                lf = message.indexOf(lf + 1, end, (byte) '\n')) {
            if (lf == start || message.getByte(lf - 1) != '\r') {
                return SmtpReplies.BODY_BARE_LINE_ENDING;
            }
            overLong |= lf + 1 - lineStart > maxLine;
            lineStart = lf + 1;
        }
        for (int cr = message.indexOf(start, end, (byte) '\r');
                cr >= 0;
                cr = message.indexOf(cr + 1, end, (byte) '\r')) {
            if (cr + 1 == end || message.getByte(cr + 1) != '\n') {
                return SmtpReplies.BODY_BARE_LINE_ENDING;
            }
        }
        // A last line without its CRLF is stored with one (endLastLine): it counts as it will be kept.
        return overLong || end > lineStart && end - lineStart + 2 > maxLine ? tooLong : null;
    }

    /**
     * {@code message}, which passed {@link #refusal}, with CRLF after its last line when that has none; an
     * empty message stays empty. {@code message} becomes the result's.
     */
    static ByteBuf endLastLine(ByteBuf message, ByteBufAllocator alloc) {
        int end = message.writerIndex();
        if (end == message.readerIndex() || message.getByte(end - 1) == '\n') {
            return message;
        }
        return alloc.compositeBuffer(2).addComponents(true, message, CRLF.retainedDuplicate());
    }
}
