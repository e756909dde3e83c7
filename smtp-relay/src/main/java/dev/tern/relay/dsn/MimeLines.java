package dev.tern.relay.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a message line by line with CRLF ends, keeping every line within RFC 5322 2.1.1's limits:
 * fields are folded at spaces near 78 characters, and no line ever exceeds 998 octets (a word longer
 * than that is split, with the continuation starting with a space).
 */
final class MimeLines {
    static final int SOFT_LIMIT = 78;
    static final int HARD_LIMIT = 998;
    private static final byte[] CRLF = {'\r', '\n'};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    /** A header or delivery-status field (RFC 5322 2.2, RFC 3464 2.1), folded (RFC 5322 2.2.3). */
    MimeLines field(String name, String value) {
        for (String line : wrap(name + ": " + clean(value), SOFT_LIMIT, " ")) {
            line(line);
        }
        return this;
    }

    /**
     * A field whose value is several lines of text, each starting a folded line of its own (a
     * multi-line SMTP reply in a Diagnostic-Code, RFC 3461 9.2).
     */
    MimeLines field(String name, List<String> values) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (i == 0) {
                lines.addAll(wrap(name + ": " + clean(values.get(i)), SOFT_LIMIT, " "));
                continue;
            }
            List<String> wrapped = wrap(clean(values.get(i)), SOFT_LIMIT - 1, " ");
            // The leading space folds it (RFC 5322 2.2.3); it may push the line past the hard limit.
            splitHard(" " + wrapped.get(0), " ", lines);
            lines.addAll(wrapped.subList(1, wrapped.size()));
        }
        lines.forEach(this::line);
        return this;
    }

    /** Free text wrapped at {@code width}, every line starting with {@code indent}. */
    MimeLines text(String text, int width, String indent) {
        List<String> lines = new ArrayList<>();
        for (String line : wrap(clean(text), width - indent.length(), "")) {
            splitHard(indent + line, indent.isEmpty() ? " " : indent, lines);
        }
        lines.forEach(this::line);
        return this;
    }

    MimeLines line(String line) {
        out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(CRLF);
        return this;
    }

    MimeLines blank() {
        out.writeBytes(CRLF);
        return this;
    }

    /** Bytes that are already CRLF lines (the original message), written unchanged. */
    MimeLines raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** Control characters (CR and LF among them) become spaces, and runs of spaces one space. */
    static String clean(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char d = c < 0x20 || c == 0x7f ? ' ' : c;
            if (d != ' ' || sb.isEmpty() || sb.charAt(sb.length() - 1) != ' ') {
                sb.append(d);
            }
        }
        return sb.toString().strip();
    }

    /**
     * Breaks {@code text} at spaces into lines of at most {@code width} octets where words allow,
     * then splits any line still over {@link #HARD_LIMIT} octets.
     */
    static List<String> wrap(String text, int width, String indent) {
        List<String> soft = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.isEmpty()) {
                line.append(word);
            } else if (octets(line) + 1 + octets(word) <= width) {
                line.append(' ').append(word);
            } else {
                soft.add(line.toString());
                line.setLength(0);
                line.append(indent).append(word);
            }
        }
        soft.add(line.toString());
        List<String> lines = new ArrayList<>(soft.size());
        for (String s : soft) {
            splitHard(s, indent.isEmpty() ? " " : indent, lines);
        }
        return lines;
    }

    private static void splitHard(String line, String indent, List<String> into) {
        String rest = line;
        while (octets(rest) > HARD_LIMIT) {
            int cut = cutIndex(rest, HARD_LIMIT);
            into.add(rest.substring(0, cut));
            rest = indent + rest.substring(cut);
        }
        into.add(rest);
    }

    /** The largest char index whose prefix fits in {@code limit} octets, never inside a surrogate pair. */
    private static int cutIndex(String s, int limit) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > limit) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return i;
    }

    static int octets(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
