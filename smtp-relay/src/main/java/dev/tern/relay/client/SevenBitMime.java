package dev.tern.relay.client;

import dev.tern.smtp.MessageOctets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns the 8-bit parts of a MIME message into 7-bit ones, for a server that does not announce 8BITMIME
 * (RFC 6152 3: the client must not send it 8-bit data, and may convert it), as Postfix does unless
 * {@code disable_mime_output_conversion} is set:
 *
 * <ul>
 *   <li>a leaf part (any type but multipart and message/rfc822) whose body holds octets over 127 and whose
 *       transfer encoding is 7bit, 8bit, binary or none is encoded quoted-printable (RFC 2045 6.7), and its
 *       {@code Content-Transfer-Encoding} field says so; that field and {@code Content-Type} are read past
 *       their comments ({@link MimeFieldValue});
 *   <li>a multipart's parts are converted one by one between its boundary lines (RFC 2046 5.1), nested up
 *       to {@value #MAX_DEPTH} deep; a {@code message/rfc822} part's message is converted in turn, and its
 *       encoding becomes 7bit once nothing 8-bit is left in it (RFC 2046 5.2.1 allows no other);
 *   <li>what cannot be converted goes as it is: header fields (8-bit in them is no MIME matter), a
 *       message without {@code MIME-Version}, a part already in base64 or quoted-printable, a preamble.
 * </ul>
 *
 * Work and memory are linear in the message: every part is read once per level it is nested in, and
 * nothing but the output is allocated. Converting changes the octets a DKIM signature covers, so such a
 * signature no longer verifies at the receiver, as with Postfix; the servers without 8BITMIME that make
 * this necessary are few.
 */
final class SevenBitMime {
    /** How deep multiparts and attached messages are followed; deeper ones go as they are. */
    static final int MAX_DEPTH = 20;
    /** RFC 2045 6.7 (5): encoded lines of at most 76 characters, the soft break's "=" included. */
    private static final int QP_LINE = 76;

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** The message; positions below are offsets into it. A line runs to its LF, which it includes. */
    private final byte[] m;

    private ByteArrayOutputStream out;

    private SevenBitMime(byte[] message) {
        this.m = message;
        this.out = new ByteArrayOutputStream(message.length + message.length / 4);
    }

    /**
     * {@code content} with its 8-bit MIME parts made 7-bit, as a new buffer the caller releases; the
     * caller keeps its own reference to {@code content}, whose indexes are not moved.
     */
    static ByteBuf convert(ByteBuf content, ByteBufAllocator alloc) {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        SevenBitMime conversion = new SevenBitMime(bytes);
        conversion.message();
        ByteArrayOutputStream converted = conversion.out;
        ByteBuf result = alloc.buffer(converted.size());
        result.writeBytes(converted.toByteArray());
        return result;
    }

    private void message() {
        int blank = blankLine(0, m.length);
        if (field(0, blank, "mime-version") == null) {
            // Not MIME (RFC 2045 4): nothing says what its body is, so it cannot be re-encoded.
            out.write(m, 0, m.length);
            return;
        }
        entity(0, m.length, "text/plain", 0);
    }

    /** The entity in [from, to): header, blank line, body. */
    private void entity(int from, int to, String defaultType, int depth) {
        int blank = blankLine(from, to);
        int bodyFrom = blank < to ? next(blank, to) : to;
        if (depth > MAX_DEPTH || !MessageOctets.isEightBit(m, bodyFrom, to)) {
            out.write(m, from, to - from);
            return;
        }
        String contentType = field(from, blank, "content-type");
        String type = contentType == null ? defaultType : MimeFieldValue.mediaType(contentType);
        String encoding = field(from, blank, "content-transfer-encoding");
        // RFC 2045 6.1: the mechanism is a token, with comments and white space around it allowed.
        encoding = encoding == null ? null : MimeFieldValue.transferEncoding(encoding);
        String boundary = contentType == null ? null : MimeFieldValue.parameter(contentType, "boundary");
        boolean multipart = type.startsWith("multipart/") && boundary != null;
        if (multipart || type.equals("message/rfc822")) {
            // The body (its parts, or the attached message) is converted on its own, so that the encoding of
            // the entity that holds it can be told after: 7bit once nothing 8-bit is left (RFC 2045 6.4 and
            // RFC 2046 5.2.1 allow a multipart or message/rfc822 no encoding but the identity ones).
            ByteArrayOutputStream outer = out;
            out = new ByteArrayOutputStream(to - bodyFrom);
            if (multipart) {
                multipart(
                        bodyFrom,
                        to,
                        boundary,
                        type.equals("multipart/digest") ? "message/rfc822" : "text/plain",
                        depth);
            } else {
                entity(bodyFrom, to, "text/plain", depth + 1);
            }
            byte[] converted = out.toByteArray();
            out = outer;
            boolean clean =
                    ("8bit".equals(encoding) || "binary".equals(encoding)) && !MessageOctets.isEightBit(converted);
            header(from, blank, to, clean ? "7bit" : null);
            out.writeBytes(converted);
        } else if (encoding == null
                || encoding.equals("7bit")
                || encoding.equals("8bit")
                || encoding.equals("binary")) {
            header(from, blank, to, "quoted-printable");
            for (int line = bodyFrom; line < to; line = next(line, to)) {
                int end = textEnd(line, to);
                quotedPrintable(line, end);
                if (end < next(line, to)) {
                    crlf(); // the line had a break; a last line without one stays without
                }
            }
        } else {
            out.write(m, from, to - from);
        }
    }

    /** A multipart body: preamble, parts between delimiter lines, close delimiter, epilogue. */
    private void multipart(int from, int to, String boundary, String partType, int depth) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int part = -1; // where the current part begins; -1 in the preamble
        for (int line = from; line < to; ) {
            int after = next(line, to);
            int kind = delimiterKind(line, textEnd(line, to), delimiter);
            if (kind == 0) {
                if (part < 0) {
                    out.write(m, line, after - line); // the preamble goes as it is
                }
                line = after;
                continue;
            }
            if (part >= 0) {
                entity(part, line, partType, depth + 1);
            }
            out.write(m, line, after - line);
            if (kind == 2) {
                out.write(m, after, to - after); // the epilogue goes as it is
                return;
            }
            part = after;
            line = after;
        }
        if (part >= 0) {
            entity(part, to, partType, depth + 1); // no close delimiter: the part runs to the end
        }
    }

    /** 0: not a delimiter line; 1: a delimiter; 2: the close delimiter (RFC 2046 5.1.1). */
    private int delimiterKind(int s, int e, byte[] delimiter) {
        if (e - s < delimiter.length) {
            return 0;
        }
        for (int k = 0; k < delimiter.length; k++) {
            if (m[s + k] != delimiter[k]) {
                return 0;
            }
        }
        int rest = s + delimiter.length;
        int kind = 1;
        if (e - rest >= 2 && m[rest] == '-' && m[rest + 1] == '-') {
            kind = 2;
            rest += 2;
        }
        for (int k = rest; k < e; k++) {
            if (m[k] != ' ' && m[k] != '\t') {
                return 0; // a longer boundary that begins with this one
            }
        }
        return kind;
    }

    /**
     * Writes the header lines [from, blank) and the blank line (when {@code blank} is before {@code to}),
     * with the transfer encoding set to {@code encoding} (null: as it is).
     */
    private void header(int from, int blank, int to, String encoding) {
        for (int line = from; line < blank; ) {
            int after = next(line, blank);
            if (encoding != null && isField(line, blank, "content-transfer-encoding")) {
                while (after < blank && isContinuation(after)) {
                    after = next(after, blank);
                }
            } else {
                out.write(m, line, after - line);
            }
            line = after;
        }
        if (encoding != null) {
            out.writeBytes(("Content-Transfer-Encoding: " + encoding).getBytes(StandardCharsets.US_ASCII));
            crlf();
        }
        if (blank < to) {
            out.write(m, blank, next(blank, to) - blank);
        }
    }

    /** One line of text [s, e), quoted-printable, with soft breaks; its line break is the caller's. */
    private void quotedPrintable(int s, int e) {
        int column = 0;
        for (int i = s; i < e; i++) {
            int b = m[i] & 0xff;
            boolean last = i == e - 1;
            boolean literal = (b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !last);
            int width = literal ? 1 : 3;
            // Room for this character and, unless it ends the line, a soft break after it.
            if (column + width > QP_LINE - (last ? 0 : 1)) {
                out.write('=');
                crlf();
                column = 0;
            }
            if (literal) {
                out.write(b);
            } else {
                out.write('=');
                out.write(HEX[b >> 4]);
                out.write(HEX[b & 0xf]);
            }
            column += width;
        }
    }

    /** Where the line after the one at {@code line} begins (past its LF), or {@code to}. */
    private int next(int line, int to) {
        for (int i = line; i < to; i++) {
            if (m[i] == '\n') {
                return i + 1;
            }
        }
        return to;
    }

    /** Where the text of the line at {@code line} ends: at its CRLF or LF, or at {@code to}. */
    private int textEnd(int line, int to) {
        int after = next(line, to);
        if (after > line && m[after - 1] == '\n') {
            return after - 1 > line && m[after - 2] == '\r' ? after - 2 : after - 1;
        }
        return after;
    }

    /** Where the first empty line in [from, to) begins, or {@code to} when the header runs to the end. */
    private int blankLine(int from, int to) {
        for (int line = from; line < to; line = next(line, to)) {
            if (textEnd(line, to) == line && next(line, to) > line && m[next(line, to) - 1] == '\n') {
                return line;
            }
        }
        return to;
    }

    /** The unfolded value of the first field {@code name} (lower case) in header lines [from, to), or null. */
    private String field(int from, int to, String name) {
        for (int line = from; line < to; line = next(line, to)) {
            if (isField(line, to, name)) {
                int valueFrom = line + name.length() + 1;
                StringBuilder value = new StringBuilder(
                        new String(m, valueFrom, textEnd(line, to) - valueFrom, StandardCharsets.ISO_8859_1));
                for (int more = next(line, to); more < to && isContinuation(more); more = next(more, to)) {
                    value.append(new String(m, more, textEnd(more, to) - more, StandardCharsets.ISO_8859_1));
                }
                return value.toString().strip();
            }
        }
        return null;
    }

    private boolean isField(int line, int to, String name) {
        if (textEnd(line, to) - line <= name.length() || m[line + name.length()] != ':') {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            if (Character.toLowerCase(m[line + k]) != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private boolean isContinuation(int line) {
        return line < m.length && (m[line] == ' ' || m[line] == '\t');
    }

    private void crlf() {
        out.write('\r');
        out.write('\n');
    }
}
