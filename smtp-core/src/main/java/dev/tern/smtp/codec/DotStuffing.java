package dev.tern.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Client side: prepares a message for DATA (RFC 5321 4.5.2). Every line that starts with "." gets
 * one more "." in front, and the data ends with {@code CRLF.CRLF} (a CRLF is added first when the
 * message does not end with one). The message is expected with CRLF line ends, as the spool keeps
 * it; a line starts at the beginning of the message and after every CRLF.
 */
public final class DotStuffing {
    private static final ByteBuf DOT = constant(".");
    private static final ByteBuf TERMINATOR = constant(".\r\n");
    private static final ByteBuf CRLF_TERMINATOR = constant("\r\n.\r\n");

    private DotStuffing() {}

    /**
     * The stuffed data of {@code message} (its readable bytes), built from retained slices of it
     * without copying. The caller keeps its own reference to {@code message} and its indexes are not
     * moved; the returned buffer holds further references and must be released by whoever consumes
     * it (writing it to a channel does).
     */
    public static ByteBuf stuff(ByteBuf message, ByteBufAllocator alloc) {
        int start = message.readerIndex();
        int end = message.writerIndex();
        // No limit on components: past one the buffer would copy them all into one; its array grows as needed,
        // so a message with many lines that start with a dot costs no pass to count them first.
        CompositeByteBuf out = alloc.compositeBuffer(Integer.MAX_VALUE);
        try {
            int sliceStart = start;
            int lineStart = start;
            while (lineStart < end) {
                if (message.getByte(lineStart) == '.') {
                    // Send the line up to and including its dot, then the extra dot; the original
                    // dot starts the next slice, so the line reads ".." on the wire.
                    addSlice(out, message, sliceStart, lineStart + 1);
                    out.addComponent(true, DOT.duplicate());
                    sliceStart = lineStart + 1;
                }
                lineStart = nextLineStart(message, lineStart, end);
            }
            // The original dot was already sent; only what follows it remains.
            addSlice(out, message, sliceStart, end);
            boolean endsWithCrlf =
                    end - start >= 2 && message.getByte(end - 2) == '\r' && message.getByte(end - 1) == '\n';
            boolean empty = end == start;
            out.addComponent(true, (endsWithCrlf || empty ? TERMINATOR : CRLF_TERMINATOR).duplicate());
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static void addSlice(CompositeByteBuf out, ByteBuf message, int from, int to) {
        if (to > from) {
            out.addComponent(true, message.retainedSlice(from, to - from));
        }
    }

    /** The index after the next CRLF at or after {@code from}, or {@code end}. */
    private static int nextLineStart(ByteBuf message, int from, int end) {
        int pos = from;
        while (pos < end) {
            int lf = message.indexOf(pos, end, (byte) '\n');
            if (lf < 0) {
                return end;
            }
            if (lf > from && message.getByte(lf - 1) == '\r') {
                return lf + 1;
            }
            pos = lf + 1;
        }
        return end;
    }

    private static ByteBuf constant(String ascii) {
        byte[] bytes = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes)).asReadOnly();
    }
}
