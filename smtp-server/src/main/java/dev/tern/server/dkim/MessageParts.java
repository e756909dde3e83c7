package dev.tern.server.dkim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A message split for signing: its header fields (RFC 5322 2.2), copied, since they are few and small, and
 * its body, left where it is as views of the message's buffers. The header section ends at the first empty
 * line; a message without one is all header section with an empty body. Only CR LF ends a line.
 */
final class MessageParts {

    /** One header field as it was received: its name in lower case and its octets, folding and CR LF included. */
    record Field(String name, byte[] raw) {}

    private final List<Field> fields;
    private final ByteBuffer[] body;

    private MessageParts(List<Field> fields, ByteBuffer[] body) {
        this.fields = fields;
        this.body = body;
    }

    List<Field> fields() {
        return fields;
    }

    /** The body as views of the message's own buffers (never a copy); each is read from its position. */
    ByteBuffer[] body() {
        return body;
    }

    /**
     * Splits {@code message}; the buffers are read, not moved.
     *
     * @throws IllegalArgumentException when the header section is larger than {@code maxHeaderOctets}
     */
    static MessageParts of(ByteBuffer[] message, int maxHeaderOctets) {
        byte[] header = new byte[256];
        int length = 0;
        int lineStart = 0;
        for (int part = 0; part < message.length; part++) {
            ByteBuffer buffer = message[part];
            for (int i = buffer.position(); i < buffer.limit(); i++) {
                byte b = buffer.get(i);
                if (length == header.length) {
                    if (length >= maxHeaderOctets) {
                        throw new IllegalArgumentException("header section over " + maxHeaderOctets + " octets");
                    }
                    header = Arrays.copyOf(header, Math.min(maxHeaderOctets, length * 2));
                }
                header[length++] = b;
                if (b == '\n' && length >= 2 && header[length - 2] == '\r') {
                    if (length - lineStart == 2) {
                        // The empty line that ends the header section (RFC 5322 2.1): the body follows it.
                        return new MessageParts(fields(header, lineStart), rest(message, part, i + 1));
                    }
                    lineStart = length;
                }
            }
        }
        return new MessageParts(fields(header, length), new ByteBuffer[0]);
    }

    private static ByteBuffer[] rest(ByteBuffer[] message, int part, int index) {
        ByteBuffer[] out = new ByteBuffer[message.length - part];
        out[0] = message[part].duplicate().position(index);
        for (int p = part + 1; p < message.length; p++) {
            out[p - part] = message[p].duplicate();
        }
        return out;
    }

    /** The fields in {@code header[0, end)}: a line starting with white space continues the one before. */
    private static List<Field> fields(byte[] header, int end) {
        List<Field> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < end) {
            int lineEnd = lineEnd(header, i, end);
            if (lineEnd < end && header[lineEnd] != ' ' && header[lineEnd] != '\t') {
                out.add(field(header, start, lineEnd));
                start = lineEnd;
            }
            i = lineEnd;
        }
        if (start < end) {
            out.add(field(header, start, end));
        }
        return List.copyOf(out);
    }

    private static int lineEnd(byte[] header, int from, int end) {
        for (int i = from; i < end - 1; i++) {
            if (header[i] == '\r' && header[i + 1] == '\n') {
                return i + 2;
            }
        }
        return end;
    }

    private static Field field(byte[] header, int from, int to) {
        int colon = from;
        while (colon < to && header[colon] != ':') {
            colon++;
        }
        // RFC 6376 3.4.2: the name compared without the white space before the colon.
        String name = new String(header, from, colon - from, StandardCharsets.ISO_8859_1)
                .strip()
                .toLowerCase(Locale.ROOT);
        return new Field(name, Arrays.copyOfRange(header, from, to));
    }
}
