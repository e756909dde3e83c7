package dev.tern.server.dkim;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The header side of signing: which fields are signed, in which order, and their canonical forms. */
final class DkimHeaders {
    private DkimHeaders() {}

    /**
     * The canonical octets of the signed fields, in h= order, and their names added to {@code h}. Each
     * configured name is listed once per field of that name in the message; From once more, so that a From
     * added later breaks the signature (RFC 6376 5.4.2, 8.15). Several fields of one name are taken from the
     * bottom up (RFC 6376 5.4.2); a name listed beyond those present stands for none and adds nothing.
     */
    static byte[] canonicalSelection(
            List<MessageParts.Field> fields, List<String> names, Canonicalization.Mode mode, List<String> h) {
        Map<String, Integer> present = new HashMap<>();
        for (MessageParts.Field f : fields) {
            present.merge(f.name(), 1, Integer::sum);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        for (String name : names) {
            int count = present.getOrDefault(name, 0);
            int listed = name.equals("from") ? count + 1 : count;
            int next = fields.size() - 1;
            for (int n = 0; n < listed; n++) {
                h.add(name);
                while (next >= 0 && !fields.get(next).name().equals(name)) {
                    next--;
                }
                if (next >= 0) {
                    out.writeBytes(canonical(fields.get(next).raw(), mode, true));
                    next--;
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * A field in canonical form: as it is for simple (RFC 6376 3.4.1); for relaxed (3.4.2) the name in lower
     * case without trailing white space, the value unfolded, runs of white space made one space, and none at
     * either end. {@code raw} ends with CRLF when {@code withCrlf}; the DKIM-Signature field being signed
     * does not (RFC 6376 3.7).
     */
    static byte[] canonical(byte[] raw, Canonicalization.Mode mode, boolean withCrlf) {
        if (mode == Canonicalization.Mode.SIMPLE) {
            return raw;
        }
        int end = raw.length;
        if (withCrlf && end >= 2 && raw[end - 2] == '\r' && raw[end - 1] == '\n') {
            end -= 2;
        }
        int colon = 0;
        while (colon < end && raw[colon] != ':') {
            colon++;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end + 2);
        int nameEnd = colon;
        while (nameEnd > 0 && isWsp(raw[nameEnd - 1])) {
            nameEnd--;
        }
        for (int i = 0; i < nameEnd; i++) {
            byte b = raw[i];
            out.write(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
        }
        out.write(':');
        boolean space = false;
        boolean started = false;
        for (int i = colon + 1; i < end; i++) {
            byte b = raw[i];
            if (b == '\r' && i + 1 < end && raw[i + 1] == '\n') {
                // Unfolding: the CRLF goes, the white space after it is a run like any other.
                i++;
            } else if (isWsp(b)) {
                space = started;
            } else {
                if (space) {
                    out.write(' ');
                    space = false;
                }
                out.write(b);
                started = true;
            }
        }
        if (withCrlf) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static boolean isWsp(byte b) {
        return b == ' ' || b == '\t';
    }
}
