package dev.tern.relay.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Folds message lines too long for SMTP before they are relayed. RFC 5321 4.5.3.1.6 allows 1000
 * octets per text line, CRLF included, and a submission listener may accept longer ones; so, as
 * Postfix does with {@code smtp_line_length_limit = 998}, every line over 998 octets is broken until
 * no piece is longer:
 *
 * <ul>
 *   <li>at the last space or tab that leaves at most 998 octets before it, a CRLF is inserted in
 *       front of that white space, which then begins the next line. In the header section this is
 *       folding (RFC 5322 2.2.3): unfolding gives back the field exactly. In the body nothing is
 *       added either; the line break takes the place of nothing, and the white space stays.
 *   <li>where the piece has no white space, CRLF and a space are inserted after 998 octets (997 on a
 *       line that already begins with an inserted space), moved back so that no UTF-8 character is
 *       split. A header field so folded unfolds with one space more; a body line gains a line break
 *       and a space, Postfix's own repair.
 * </ul>
 *
 * <p>A header field is never broken before the colon that ends its name, when that colon is within its first
 * {@value #MAX_TEXT} octets. The header section is every
 * line before the first empty one. Lines within the limit, and the message when none is longer, go
 * out exactly as received (the spool holds CRLF line ends; the listeners refuse bare CR and LF). A BINARYMIME body (RFC 3030 3) has no lines
 * and is never folded; local Maildir delivery stores the message as received. Mail Tern signs is folded before it
 * is signed (RFC 6376 5.3: sign the message as it will be sent), so the fold here finds nothing to do for it.
 */
public final class LongLines {
    /** RFC 5321 4.5.3.1.6: 1000 octets with the CRLF. */
    static final int MAX_TEXT = 998;

    private static final ByteBuf CRLF = constant("\r\n");
    private static final ByteBuf CRLF_SPACE = constant("\r\n ");

    private LongLines() {}

    /** Whether some line of {@code message} holds more than {@value #MAX_TEXT} octets before its CRLF. */
    public static boolean any(ByteBuf message) {
        int end = message.writerIndex();
        int line = message.readerIndex();
        while (line < end) {
            int lf = message.indexOf(line, end, (byte) '\n');
            int stop = lf < 0 ? end : lf;
            if (textEnd(message, line, stop) - line > MAX_TEXT) {
                return true;
            }
            line = stop + 1;
        }
        return false;
    }

    /**
     * {@code message} (its readable bytes) with every long line folded, built from retained slices of
     * it; or a retained duplicate when no line is long. The caller releases what it gets and keeps its
     * own reference to {@code message}, whose indexes are not moved.
     */
    public static ByteBuf fold(ByteBuf message, ByteBufAllocator alloc) {
        if (!any(message)) {
            return message.retainedDuplicate();
        }
        CompositeByteBuf out = alloc.compositeBuffer(Integer.MAX_VALUE);
        try {
            int end = message.writerIndex();
            int line = message.readerIndex();
            int kept = line; // start of the octets not yet added to out
            boolean header = true;
            while (line < end) {
                int lf = message.indexOf(line, end, (byte) '\n');
                int stop = lf < 0 ? end : lf;
                int text = textEnd(message, line, stop);
                if (text == line) {
                    header = false; // RFC 5322 2.1: the empty line ends the header section
                }
                if (text - line > MAX_TEXT) {
                    kept = foldLine(out, message, kept, line, text, header);
                }
                line = stop + 1;
            }
            add(out, message, kept, end);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Breaks the line {@code [line, text)}; returns where the octets not yet added begin. */
    private static int foldLine(CompositeByteBuf out, ByteBuf in, int kept, int line, int text, boolean header) {
        int start = line; // where the current output line's octets from {@code in} begin
        int inserted = 0; // octets of the current output line that were inserted (the space)
        // A field's name and colon stay on its first line (RFC 5322 2.2); any other piece keeps an octet.
        boolean fieldStart = header && !isWhiteSpace(in.getByte(line));
        int earliest = fieldStart ? Math.max(line + 1, colon(in, line, text) + 1) : line + 1;
        while (text - start + inserted > MAX_TEXT) {
            int latest = start + MAX_TEXT - inserted; // the piece [start, cut) fits when cut <= latest
            int from = Math.max(earliest, start + 1);
            int cut = lastWhiteSpace(in, from, latest);
            boolean atWhiteSpace = cut >= 0;
            if (!atWhiteSpace) {
                cut = characterStart(in, from, latest);
            }
            add(out, in, kept, cut);
            out.addComponent(true, (atWhiteSpace ? CRLF : CRLF_SPACE).duplicate());
            inserted = atWhiteSpace ? 0 : 1;
            kept = cut;
            start = cut;
        }
        return kept;
    }

    /** The index of the last space or tab in {@code [from, latest]}, or -1. */
    private static int lastWhiteSpace(ByteBuf in, int from, int latest) {
        for (int i = latest; i >= from; i--) {
            if (isWhiteSpace(in.getByte(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWhiteSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    /**
     * {@code latest}, or the start of the UTF-8 character it falls in (never before {@code from}): at most three
     * octets back, since a character has at most four (RFC 3629 3). Where none starts there, the octets are no
     * UTF-8 and are cut at {@code latest}, so that a run of continuation octets is cut into whole pieces, not one
     * octet at a time.
     */
    static int characterStart(ByteBuf in, int from, int latest) {
        int floor = Math.max(from, latest - 3);
        int i = latest;
        while (i > floor && (in.getByte(i) & 0xC0) == 0x80) {
            i--;
        }
        return (in.getByte(i) & 0xC0) == 0x80 ? latest : i;
    }

    /** The index of the colon that ends a field name within the first piece, or -1. */
    private static int colon(ByteBuf in, int line, int text) {
        return in.indexOf(line, Math.min(text, line + MAX_TEXT), (byte) ':');
    }

    /** The end of a line's text: before the CR of its CRLF, else the end of the octets. */
    private static int textEnd(ByteBuf in, int line, int stop) {
        return stop < in.writerIndex() && stop > line && in.getByte(stop - 1) == '\r' ? stop - 1 : stop;
    }

    private static void add(CompositeByteBuf out, ByteBuf in, int from, int to) {
        if (to > from) {
            out.addComponent(true, in.retainedSlice(from, to - from));
        }
    }

    private static ByteBuf constant(String text) {
        return Unpooled.unreleasableBuffer(
                Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII).asReadOnly());
    }
}
