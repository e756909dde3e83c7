package dev.tern.server.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Locale;

/**
 * {@link HeaderScan} on arbitrary messages and limits, against a plain reading of RFC 5322 2.1 and 2.2:
 * the header section is every line up to the first empty one or the first line that is not a field (the body
 * begins there); a line starting with white space continues a field; Received, Message-ID and Date are counted by their names. The scan gives the same
 * answer whether the message is one buffer or, as the session hands it over, a composite of the
 * received slices, and it never moves the buffer's indexes.
 */
class HeaderScanFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void scansLikeTheRfcReads(FuzzedDataProvider data) {
        int maxOctets = data.consumeInt(1, 2048);
        int maxFields = data.consumeInt(1, 64);
        int pieces = data.consumeInt(1, 8);
        byte[] message = data.consumeRemainingAsBytes();
        HeaderScan expected = reference(new String(message, ISO_8859_1), maxOctets, maxFields);

        ByteBuf whole = Unpooled.wrappedBuffer(message);
        assertThat(HeaderScan.of(whole, maxOctets, maxFields)).isEqualTo(expected);
        assertThat(whole.readerIndex()).isZero();

        CompositeByteBuf composite = Unpooled.compositeBuffer();
        int step = Math.max(1, message.length / pieces);
        for (int from = 0; from < message.length; from += step) {
            composite.addComponent(true, Unpooled.wrappedBuffer(message, from, Math.min(step, message.length - from)));
        }
        assertThat(HeaderScan.of(composite, maxOctets, maxFields)).isEqualTo(expected);
        composite.release();
    }

    /** The header section read line by line, as RFC 5322 describes it. */
    static HeaderScan reference(String message, long maxOctets, int maxFields) {
        int received = 0;
        boolean messageId = false;
        boolean date = false;
        boolean from = false;
        boolean tlsRequiredNo = false;
        int fields = 0;
        int bodyStart = -1;
        int index = 0;
        while (index < message.length()) {
            int lf = message.indexOf('\n', index);
            int lineEnd = lf < 0 ? message.length() : lf + 1;
            String line = message.substring(index, lineEnd);
            if (line.equals("\r\n") || line.equals("\n") || line.equals("\r")) {
                break; // the empty line that ends the header section
            }
            boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
            // A field begins with its name, printable US-ASCII but the colon, then perhaps white space and the
            // colon, found among the line's first 999 octets (past the size limit too); any other line, and a
            // continuation of nothing, begins the body.
            String head = line.substring(0, Math.min(line.length(), 999));
            if (continuation ? fields == 0 : !head.matches("(?s)^[\\x21-\\x39\\x3b-\\x7e]+[ \t]*:.*")) {
                bodyStart = index; // the body begins here, with no empty line before it
                break;
            }
            if (!continuation) {
                fields++;
            }
            if (lineEnd > maxOctets || fields > maxFields) {
                return new HeaderScan(received, messageId, date, from, tlsRequiredNo, true, -1);
            }
            String lower = line.toLowerCase(Locale.ROOT);
            // A field's name, perhaps white space (RFC 5322 4.5), then its colon.
            String name = lower.replaceFirst("(?s)^([^ \\t:]*)[ \\t]*:.*", "$1");
            boolean field = name.length() < lower.length();
            if (field && name.equals("received")) {
                received++;
            } else if (field && name.equals("message-id")) {
                messageId = true;
            } else if (field && name.equals("date")) {
                date = true;
            } else if (field && name.equals("from")) {
                from = true;
            } else if (field && name.equals("tls-required")) {
                // RFC 8689 5: the value "No" in any case, white space around it; the last such field counts.
                String value = lower.substring(lower.indexOf(':') + 1).replaceAll("^[ \\t\\r\\n]+|[ \\t\\r\\n]+$", "");
                tlsRequiredNo = value.equals("no");
            }
            index = lineEnd;
        }
        return new HeaderScan(received, messageId, date, from, tlsRequiredNo, false, bodyStart);
    }
}
