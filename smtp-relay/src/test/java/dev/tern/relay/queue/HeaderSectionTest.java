package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The header section found in the first octets of a message, as {@code tern queue show} prints it. */
class HeaderSectionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // what was read                  | message length | header section          | truncated
                "A: 1\\r\\nB: 2\\r\\n\\r\\nbody\\r\\n | 0              | A: 1\\r\\nB: 2\\r\\n    | false",
                // no body: the whole message is headers
                "A: 1\\r\\n                        | 0              | A: 1\\r\\n              | false",
                // the bound cut the header section
                "A: 1\\r\\nB: 2                    | 100000         | A: 1\\r\\nB: 2          | true",
                // an empty line first: no header fields
                "\\r\\nbody\\r\\n                  | 0              | ''                      | false",
            })
    void findsTheHeaderSection(String read, int length, String headers, boolean truncated) {
        String head = unescape(read);
        ByteBuf buf = Unpooled.copiedBuffer(head, StandardCharsets.UTF_8);
        try {
            HeaderSection section = HeaderSection.of(buf, length == 0 ? head.length() : length);
            assertThat(section).isEqualTo(new HeaderSection(unescape(headers), truncated));
        } finally {
            buf.release();
        }
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
