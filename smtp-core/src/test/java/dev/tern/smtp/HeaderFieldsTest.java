package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The message a mailbox gets: every Return-Path field of the header section left out, nothing else. */
class HeaderFieldsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                 | message                                                   | stored
            none                                   | 'A: 1\\r\\n\\r\\nbody\\r\\n'                                   | 'A: 1\\r\\n\\r\\nbody\\r\\n'
            the first field                        | 'Return-Path: <a@b>\\r\\nA: 1\\r\\n\\r\\nb\\r\\n'                | 'A: 1\\r\\n\\r\\nb\\r\\n'
            folded, in any case, before the body   | 'A: 1\\r\\nRETURN-PATH:\\r\\n\\t<a@b>\\r\\n\\r\\nb\\r\\n'          | 'A: 1\\r\\n\\r\\nb\\r\\n'
            two, apart                             | 'Return-Path: x\\r\\nA: 1\\r\\nReturn-path : y\\r\\nB: 2\\r\\n'    | 'A: 1\\r\\nB: 2\\r\\n'
            two together                           | 'Return-Path: x\\r\\nReturn-Path: y\\r\\n\\r\\nb'                 | '\\r\\nb'
            the last line, without its line end    | 'A: 1\\r\\nReturn-Path: x'                                  | 'A: 1\\r\\n'
            in the body                            | 'A: 1\\r\\n\\r\\nReturn-Path: x\\r\\n'                           | 'A: 1\\r\\n\\r\\nReturn-Path: x\\r\\n'
            a field whose name only begins so      | 'Return-Paths: x\\r\\nReturn-Path-X: y\\r\\n\\r\\n'              | 'Return-Paths: x\\r\\nReturn-Path-X: y\\r\\n\\r\\n'
            a continuation of another field        | 'A: 1\\r\\n Return-Path: x\\r\\n\\r\\n'                          | 'A: 1\\r\\n Return-Path: x\\r\\n\\r\\n'
            """)
    void leavesOutReturnPathFields(String what, String message, String stored) {
        ByteBuf content = Unpooled.copiedBuffer(unescape(message), StandardCharsets.US_ASCII);
        try {
            List<ByteBuf> parts = HeaderFields.withoutReturnPath(content);
            StringBuilder joined = new StringBuilder();
            parts.forEach(p -> joined.append(p.toString(StandardCharsets.US_ASCII)));
            assertThat(joined.toString()).as(what).isEqualTo(unescape(stored));
            // Each part but the last ends a line: the CRLF-to-LF copy never sees a line end split.
            parts.subList(0, Math.max(0, parts.size() - 1))
                    .forEach(p -> assertThat(p.getByte(p.writerIndex() - 1)).isEqualTo((byte) '\n'));
            assertThat(content.refCnt()).isEqualTo(1);
            assertThat(content.readerIndex()).isZero();
        } finally {
            content.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                  | message                                                     | looped
            the same address, in another case       | 'Delivered-To: Alice@Example.NET\\r\\nA: 1\\r\\n\\r\\nb'       | true
            among others, with white space          | 'Delivered-To: x@y\\r\\ndelivered-to :  alice@example.net \\r\\n\\r\\n' | true
            another address                         | 'Delivered-To: bob@example.net\\r\\n\\r\\n'                | false
            only in the body                        | 'A: 1\\r\\n\\r\\nDelivered-To: alice@example.net\\r\\n'    | false
            a longer address that contains it       | 'Delivered-To: malice@example.net\\r\\n\\r\\n'             | false
            """)
    void findsTheMailboxAMessageWasDeliveredToBefore(String what, String message, boolean looped) {
        ByteBuf content = Unpooled.copiedBuffer(unescape(message), StandardCharsets.US_ASCII);
        try {
            assertThat(HeaderFields.deliveredTo(content, "alice@example.net"))
                    .as(what)
                    .isEqualTo(looped);
            assertThat(content.readerIndex()).isZero();
        } finally {
            content.release();
        }
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }
}
