package dev.tern.relay.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns the 8-bit parts of a MIME message into 7-bit ones, for a server that does not announce 8BITMIME
 * (RFC 6152 3: the client must not send it 8-bit data, and may convert it), as Postfix does unless
 * {@code disable_mime_output_conversion} is set:
 *
 * <ul>
 *   <li>a leaf part (any type but multipart and message) whose body holds octets over 127 and whose
 *       transfer encoding is 7bit, 8bit, binary or none is encoded quoted-printable (RFC 2045 6.7), and its
 *       {@code Content-Transfer-Encoding} field says so;
 *   <li>a multipart's parts are converted one by one between its boundary lines (RFC 2046 5.1), nested up
 *       to {@value #MAX_DEPTH} deep; a {@code message/rfc822} part's message is converted in turn, and its
 *       encoding becomes 7bit once nothing 8-bit is left in it (RFC 2046 5.2.1 allows no other);
 *   <li>what cannot be converted goes as it is: header fields (8-bit in them is no MIME matter), a
 *       message without {@code MIME-Version}, a part already in base64 or quoted-printable.
 * </ul>
 *
 * Converting changes the octets a DKIM signature covers, so such a signature no longer verifies at the
 * receiver, as with Postfix; the servers without 8BITMIME that make this necessary are few.
 */
final class SevenBitMime {
    /** How deep multiparts and attached messages are followed; deeper ones go as they are. */
    static final int MAX_DEPTH = 20;
    /** RFC 2045 6.7 (5): encoded lines of at most 76 characters, the soft break's "=" included. */
    private static final int QP_LINE = 76;

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final byte[] m;
    private final int[] starts;
    private final int[] ends;
    private final int lines;
    private final ByteArrayOutputStream out;

    private SevenBitMime(byte[] message) {
        this.m = message;
        int count = 1;
        for (byte b : message) {
            if (b == '\n') {
                count++;
            }
        }
        starts = new int[count];
        ends = new int[count];
        int n = 0;
        int start = 0;
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\n') {
                starts[n] = start;
                ends[n] = i > start && message[i - 1] == '\r' ? i - 1 : i;
                n++;
                start = i + 1;
            }
        }
        if (start < message.length) {
            starts[n] = start;
            ends[n] = message.length;
            n++;
        }
        lines = n;
        out = new ByteArrayOutputStream(message.length + message.length / 4);
    }

    /** Whether {@code content} holds an octet over 127. */
    static boolean hasEightBit(ByteBuf content) {
        return content.forEachByte(b -> b >= 0) >= 0;
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
        byte[] converted = conversion.out.toByteArray();
        return alloc.buffer(converted.length).writeBytes(converted);
    }

    private void message() {
        int blank = blankLine(0, lines);
        if (field(0, blank, "mime-version") == null) {
            // Not MIME (RFC 2045 4): nothing says what its body is, so it cannot be re-encoded.
            copy(0, lines);
            return;
        }
        entity(0, lines, "text/plain", 0);
    }

    /** The entity in lines [from, to): header, blank line, body. */
    private void entity(int from, int to, String defaultType, int depth) {
        int blank = blankLine(from, to);
        int bodyFrom = Math.min(blank + 1, to);
        if (depth > MAX_DEPTH || !eightBit(bodyFrom, to)) {
            copy(from, to);
            return;
        }
        String contentType = field(from, blank, "content-type");
        String type = contentType == null ? defaultType : mediaType(contentType);
        String encoding = field(from, blank, "content-transfer-encoding");
        encoding = encoding == null ? null : encoding.strip().toLowerCase(Locale.ROOT);
        String boundary = contentType == null ? null : boundary(contentType);
        if (type.startsWith("multipart/") && boundary != null) {
            copy(from, bodyFrom);
            multipart(bodyFrom, to, boundary, type.equals("multipart/digest") ? "message/rfc822" : "text/plain", depth);
        } else if (type.equals("message/rfc822")) {
            int mark = out.size();
            header(from, blank, to, null);
            int bodyAt = out.size();
            entity(bodyFrom, to, "text/plain", depth + 1);
            if (!containsEightBit(bodyAt) && ("8bit".equals(encoding) || "binary".equals(encoding))) {
                byte[] body = tail(bodyAt);
                truncate(mark);
                header(from, blank, to, "7bit");
                out.writeBytes(body);
            }
        } else if (encoding == null
                || encoding.equals("7bit")
                || encoding.equals("8bit")
                || encoding.equals("binary")) {
            header(from, blank, to, "quoted-printable");
            for (int i = bodyFrom; i < to; i++) {
                quotedPrintable(starts[i], ends[i]);
                if (endsWithLineBreak(i)) {
                    crlf();
                }
            }
        } else {
            copy(from, to);
        }
    }

    /** A multipart body: preamble, parts between delimiter lines, close delimiter, epilogue. */
    private void multipart(int from, int to, String boundary, String partType, int depth) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int part = -1; // where the current part's lines begin; -1 in the preamble or epilogue
        for (int i = from; i < to; i++) {
            int kind = delimiterKind(i, delimiter);
            if (kind == 0) {
                if (part < 0) {
                    copy(i, i + 1);
                }
                continue;
            }
            if (part >= 0) {
                entity(part, i, partType, depth + 1);
            }
            copy(i, i + 1);
            part = kind == 1 ? i + 1 : -1;
            if (kind == 2) {
                copy(i + 1, to); // the epilogue
                return;
            }
        }
        if (part >= 0) {
            entity(part, to, partType, depth + 1); // no close delimiter: the part runs to the end
        }
    }

    /** 0: not a delimiter line; 1: a delimiter; 2: the close delimiter (RFC 2046 5.1.1). */
    private int delimiterKind(int line, byte[] delimiter) {
        int s = starts[line];
        int e = ends[line];
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
     * Writes header lines [from, blank) and the blank line (when {@code blank} is before {@code to}), with
     * the transfer encoding set to {@code encoding} (null: as it is).
     */
    private void header(int from, int blank, int to, String encoding) {
        for (int i = from; i < blank; i++) {
            if (encoding != null && isField(i, "content-transfer-encoding")) {
                while (i + 1 < blank && isContinuation(i + 1)) {
                    i++;
                }
                continue;
            }
            copy(i, i + 1);
        }
        if (encoding != null) {
            out.writeBytes(("Content-Transfer-Encoding: " + encoding).getBytes(StandardCharsets.US_ASCII));
            crlf();
        }
        if (blank < to) {
            copy(blank, blank + 1);
        }
    }

    /** One line of text, quoted-printable, with soft breaks; its line break is the caller's. */
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

    /** The index of the first empty line in [from, to), or {@code to} when the header runs to the end. */
    private int blankLine(int from, int to) {
        for (int i = from; i < to; i++) {
            if (ends[i] == starts[i]) {
                return i;
            }
        }
        return to;
    }

    /** The unfolded value of the first field {@code name} (lower case) in header lines [from, to), or null. */
    private String field(int from, int to, String name) {
        for (int i = from; i < to; i++) {
            if (isField(i, name)) {
                StringBuilder value = new StringBuilder(new String(
                        m,
                        starts[i] + name.length() + 1,
                        ends[i] - starts[i] - name.length() - 1,
                        StandardCharsets.ISO_8859_1));
                while (i + 1 < to && isContinuation(i + 1)) {
                    i++;
                    value.append(new String(m, starts[i], ends[i] - starts[i], StandardCharsets.ISO_8859_1));
                }
                return value.toString().strip();
            }
        }
        return null;
    }

    private boolean isField(int line, String name) {
        int s = starts[line];
        if (ends[line] - s <= name.length() || m[s + name.length()] != ':') {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            int c = m[s + k];
            if (Character.toLowerCase(c) != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private boolean isContinuation(int line) {
        return ends[line] > starts[line] && (m[starts[line]] == ' ' || m[starts[line]] == '\t');
    }

    private boolean eightBit(int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = starts[from]; i < ends[to - 1]; i++) {
            if (m[i] < 0) {
                return true;
            }
        }
        return false;
    }

    private boolean endsWithLineBreak(int line) {
        return ends[line] < m.length;
    }

    /** Copies lines [from, to) as they are, each with its line break when it had one. */
    private void copy(int from, int to) {
        for (int i = from; i < to; i++) {
            out.write(m, starts[i], ends[i] - starts[i]);
            if (endsWithLineBreak(i)) {
                crlf();
            }
        }
    }

    private void crlf() {
        out.write('\r');
        out.write('\n');
    }

    private boolean containsEightBit(int from) {
        byte[] written = tail(from);
        for (byte b : written) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    private byte[] tail(int from) {
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOfRange(all, from, all.length);
    }

    private void truncate(int size) {
        byte[] kept = java.util.Arrays.copyOf(out.toByteArray(), size);
        out.reset();
        out.writeBytes(kept);
    }

    /** {@code type/subtype} of a Content-Type value, in lower case. */
    static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** The {@code boundary} parameter of a Content-Type value (RFC 2046 5.1.1), quoted or not; null if none. */
    static String boundary(String contentType) {
        String lower = contentType.toLowerCase(Locale.ROOT);
        int at = 0;
        while ((at = lower.indexOf("boundary", at)) >= 0) {
            int before = at - 1;
            while (before >= 0 && (lower.charAt(before) == ' ' || lower.charAt(before) == '\t')) {
                before--;
            }
            int eq = at + "boundary".length();
            while (eq < lower.length() && (lower.charAt(eq) == ' ' || lower.charAt(eq) == '\t')) {
                eq++;
            }
            if (before >= 0 && lower.charAt(before) == ';' && eq < lower.length() && lower.charAt(eq) == '=') {
                String value = contentType.substring(eq + 1).strip();
                if (value.startsWith("\"")) {
                    int close = value.indexOf('"', 1);
                    return close < 0 ? null : value.substring(1, close);
                }
                int stop = 0;
                while (stop < value.length()
                        && value.charAt(stop) != ';'
                        && !Character.isWhitespace(value.charAt(stop))) {
                    stop++;
                }
                return stop == 0 ? null : value.substring(0, stop);
            }
            at = eq;
        }
        return null;
    }
}
