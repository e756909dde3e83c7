package dev.tern.server.smtp;

import dev.tern.smtp.HeaderFields;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * What the server needs to know of a message's header section (RFC 5322 2.2): whether it stays within
 * the configured size and field count, how many trace (Received) fields it has, for loop detection
 * (RFC 5321 6.3), whether Message-ID, Date and From are present, for submission (RFC 6409 8.1 to 8.3), and
 * whether a {@code TLS-Required: No} field asks that TLS policies be ignored (RFC 8689 5).
 * Reads the buffer in place and copies nothing; past a limit it stops reading, so the work per message
 * is bounded by the limits, not by the message.
 *
 * @param overLimit the header section exceeds {@code maxOctets} or {@code maxFields}; the other
 *     components then describe only the part read
 * @param bodyStart where a line that is neither a field nor a continuation ended the header section, the body
 *     beginning there with no empty line before it (0: the message has no header section at all), counted from
 *     the message's first octet; -1 when an empty line, or the message's end, ended it (or a limit was crossed).
 *     An empty line goes in at that point before the message is stored, so that every later reader (local
 *     delivery, DKIM, the relay, the next hop) finds the body where this scan did, as Postfix does
 */
record HeaderScan(
        int receivedCount,
        boolean hasMessageId,
        boolean hasDate,
        boolean hasFrom,
        boolean tlsRequiredNo,
        boolean overLimit,
        int bodyStart) {

    private static final String RECEIVED = "received";
    private static final String MESSAGE_ID = "message-id";
    private static final String DATE = "date";
    private static final String FROM = "from";
    private static final String TLS_REQUIRED = "tls-required";

    /** The longest field name looked for: a header line's length (RFC 5322 2.1.1). */
    static final int MAX_FIELD_NAME = 998;

    /**
     * Scans the header section of {@code message}: every line before the first empty one (RFC 5322
     * 2.1), counted with its line end, or before the first line that is neither a field nor the continuation
     * of one, which begins the body, as Postfix reads it (a message sent with no header section at all is all
     * body: a text line first, or a continuation of nothing). A field's line begins with its name, printable
     * US-ASCII but the colon, and a colon, perhaps after white space (RFC 5322 3.6.8, 4.5).
     */
    static HeaderScan of(ByteBuf message, long maxOctets, int maxFields) {
        int received = 0;
        boolean messageId = false;
        boolean date = false;
        boolean from = false;
        boolean tlsRequiredNo = false;
        int fields = 0;
        int bodyStart = -1;
        int start = message.readerIndex();
        int index = start;
        int end = message.writerIndex();
        // No line end is looked for past the size limit: one endless line costs no more than a long header.
        int searchEnd = (int) Math.min(end, start + maxOctets + 1);
        while (index < end) {
            int lf = ByteBufUtil.indexOf(message, index, searchEnd, (byte) '\n');
            int lineEnd = lf < 0 ? searchEnd : lf + 1;
            int length = lineEnd - index;
            byte first = message.getByte(index);
            // The header section ends at the first empty line (RFC 5322 2.1): CRLF, a bare LF, or a CR that
            // ends the message. Read past the size limit if need be: a CR followed by anything else starts a
            // line, so it counts towards the limit.
            boolean empty = first == '\n' || first == '\r' && (index + 1 == end || message.getByte(index + 1) == '\n');
            if (empty) {
                break;
            }
            // RFC 5322 2.2.3: a line starting with white space continues the field before it.
            boolean continuation = first == ' ' || first == '\t';
            // The name is read up to the message's end, not the size limit's: a field across the limit is still one.
            if (continuation ? fields == 0 : !isFieldStart(message, index, end)) {
                bodyStart = index - start; // RFC 5322 2.2: not a field, so the body has begun
                break;
            }
            if (!continuation) {
                fields++;
            }
            if (lineEnd - start > maxOctets || fields > maxFields) {
                return new HeaderScan(received, messageId, date, from, tlsRequiredNo, true, -1);
            }
            int value;
            if (HeaderFields.valueStart(message, index, lineEnd, RECEIVED) >= 0) {
                received++;
            } else if (HeaderFields.valueStart(message, index, lineEnd, MESSAGE_ID) >= 0) {
                messageId = true;
            } else if (HeaderFields.valueStart(message, index, lineEnd, DATE) >= 0) {
                date = true;
            } else if (HeaderFields.valueStart(message, index, lineEnd, FROM) >= 0) {
                from = true;
            } else if ((value = HeaderFields.valueStart(message, index, lineEnd, TLS_REQUIRED)) >= 0) {
                // Only a field's first line is read: "No" is short, and a folded value is not one we know.
                tlsRequiredNo = isNo(message, value, lineEnd);
            }
            index = lineEnd;
        }
        return new HeaderScan(received, messageId, date, from, tlsRequiredNo, false, bodyStart);
    }

    /**
     * Whether the line at {@code start} (in a message ending at {@code end}) begins a header field: a name of printable
     * US-ASCII but the colon, then the colon, perhaps after white space. Only its first {@value #MAX_FIELD_NAME}
     * octets are read.
     */
    private static boolean isFieldStart(ByteBuf message, int start, int end) {
        int stop = Math.min(end, start + MAX_FIELD_NAME + 1);
        int i = start;
        while (i < stop && message.getByte(i) > ' ' && message.getByte(i) < 127 && message.getByte(i) != ':') {
            i++;
        }
        int name = i - start;
        while (i < stop && (message.getByte(i) == ' ' || message.getByte(i) == '\t')) {
            i++;
        }
        return name > 0 && i < stop && message.getByte(i) == ':';
    }

    /** RFC 8689 5: {@code TLS-Required: No}, the only value defined, in any case and with white space around. */
    private static boolean isNo(ByteBuf buf, int from, int to) {
        int start = from;
        int end = to;
        while (start < end && isSpace(buf.getByte(start))) {
            start++;
        }
        while (end > start && isSpace(buf.getByte(end - 1))) {
            end--;
        }
        return end - start == 2 && (buf.getByte(start) | 0x20) == 'n' && (buf.getByte(start + 1) | 0x20) == 'o';
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
