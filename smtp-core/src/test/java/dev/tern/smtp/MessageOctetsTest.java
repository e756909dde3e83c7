package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageOctetsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                         | message (\\n is CRLF)             | header section | 8-bit in it
            fields, then a body            | A: 1\\nB: 2\\n\\nbody\\n           | A: 1\\nB: 2\\n | false
            opens with the empty line      | \\nbody\\n                         | ''             | false
            no empty line                  | A: 1\\nB: 2\\n                     | A: 1\\nB: 2\\n | false
            8-bit in the body only         | A: 1\\n\\nb\u00e9\\n               | A: 1\\n        | false
            8-bit in a field               | A: \u00e9\\n\\nbody\\n             | A: \u00e9\\n   | true
            """)
    void findsTheHeaderSectionAndWhatIsInIt(String what, String message, String header, boolean eightBit) {
        ByteBuf content = Unpooled.copiedBuffer("xx" + crlf(message), StandardCharsets.UTF_8)
                .skipBytes(2);
        try {
            int end = MessageOctets.headerEnd(content);
            assertThat(content.toString(content.readerIndex(), end - content.readerIndex(), StandardCharsets.UTF_8))
                    .as(what)
                    .isEqualTo(crlf(header));
            assertThat(MessageOctets.isEightBit(content, content.readerIndex(), end))
                    .as(what)
                    .isEqualTo(eightBit);
            assertThat(MessageOctets.isEightBit(content, content.readerIndex(), content.writerIndex()))
                    .isEqualTo(message.chars().anyMatch(c -> c > 127));
        } finally {
            content.release();
        }
    }

    /**
     * The search reads eight octets at a time and the rest one by one: an octet over 127 is found at every place a
     * word or the tail can put it, within the range asked about and never outside it.
     */
    @Test
    void findsAnEightBitOctetWhereverItIsInTheRangeAndNowhereElse() {
        for (int length = 0; length <= 20; length++) {
            for (int at = 0; at < 24; at++) {
                byte[] octets = new byte[24];
                Arrays.fill(octets, (byte) 'a');
                octets[at] = (byte) 0xC3;
                ByteBuf content = Unpooled.wrappedBuffer(octets);
                boolean inside = at >= 2 && at < 2 + length;
                assertThat(MessageOctets.isEightBit(content, 2, 2 + length))
                        .as("octet %d, range [2, %d)", at, 2 + length)
                        .isEqualTo(inside);
                content.release();
            }
        }
    }

    private static String crlf(String text) {
        return text.replace("\\n", "\r\n");
    }
}
