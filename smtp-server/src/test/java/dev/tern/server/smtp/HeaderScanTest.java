package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The header section bounds and counts of {@link HeaderScan}, with limits of 100 octets and 4 fields. */
class HeaderScanTest {
    private static final long MAX_OCTETS = 100;
    private static final int MAX_FIELDS = 4;

    static Stream<Arguments> sections() {
        return Stream.of(
                row("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nbody\r\n", false, 0), // 4 fields: the limit
                row("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\nbody\r\n", true, 0), // 5 fields
                row("A: 1\r\n 1\r\n\t1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", false, 0), // folded lines count once
                row("A: 1\r\n\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n", false, 0), // fields after the empty line are body
                row("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n", true, 0), // no empty line: all header section
                row("A: " + "x".repeat(93) + "\r\n\r\n" + "y".repeat(500), false, 0), // 98 octets
                row("A: " + "x".repeat(95) + "\r\n\r\n", false, 0), // 100 octets, CRLF included: the limit
                row("A: " + "x".repeat(96) + "\r\n\r\n", true, 0), // 101 octets
                row("A: " + "x".repeat(50) + "\r\n " + "x".repeat(50) + "\r\n\r\n", true, 0), // folded, 108 octets
                row("A: " + "x".repeat(5000), true, 0), // one endless line
                row("A: " + "x".repeat(95), false, 0), // a last line without line end, 98 octets
                row("\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n", false, 0), // empty header section
                row("Received: a\r\nreceived: b\r\nX: received: c\r\n\r\n", false, 2), // trace fields still counted
                row("Received : a\r\nReceived\t:b\r\n\r\n", false, 2), // white space before the colon
                row("Received: a\r\nReceived: b\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", true, 2), // over after two
                // RFC 5322 2.2, as Postfix reads it: the first line that is not a field begins the body.
                row("a line of text\r\n".repeat(50), false, 0), // no header section at all: all body
                row("Received: a\r\nnot a field\r\nReceived: b\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n", false, 1),
                row("Received: a\r\n" + "x".repeat(500) + "\r\n", false, 1), // a long line of body
                row(" continues nothing\r\nReceived: a\r\n", false, 0), // white space first: no field
                row("A: " + "x".repeat(94) + "\r\nLong-Name: v\r\n\r\n", true, 0), // a field's name across the limit
                row("Received: a\r\nReceived: b\r\nC: 3\r\nD: 4\r\nE: 5\r\ntext\r\n", true, 2)); // over first
    }

    @ParameterizedTest
    @MethodSource("sections")
    void boundsTheHeaderSection(String message, boolean overLimit, int received) {
        ByteBuf content = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            HeaderScan scan = HeaderScan.of(content, MAX_OCTETS, MAX_FIELDS);
            assertThat(scan.overLimit()).isEqualTo(overLimit);
            assertThat(scan.receivedCount()).isEqualTo(received);
            assertThat(content.readerIndex()).as("reads in place").isZero();
            assertThat(scan.tlsRequiredNo()).isFalse();
        } finally {
            content.release();
        }
    }

    static Stream<Arguments> tlsRequired() {
        return Stream.of(
                Arguments.of("TLS-Required: No\r\n\r\n", true), // RFC 8689 5
                Arguments.of("tls-required:no\r\n\r\n", true), // any case, no space
                Arguments.of("TLS-Required: \tNO \r\n\r\n", true), // white space around the value
                Arguments.of("TLS-Required: Nope\r\n\r\n", false), // not the value defined
                Arguments.of("TLS-Required: Yes\r\n\r\n", false), // not the value defined
                Arguments.of("X-TLS-Required: No\r\n\r\n", false), // another field
                Arguments.of("TLS-Required : No\r\n\r\n", true), // white space before the colon
                Arguments.of("A: 1\r\n\r\nTLS-Required: No\r\n", false)); // in the body
    }

    @ParameterizedTest
    @MethodSource("tlsRequired")
    void findsTlsRequiredNo(String message, boolean no) {
        ByteBuf content = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            assertThat(HeaderScan.of(content, MAX_OCTETS, MAX_FIELDS).tlsRequiredNo())
                    .isEqualTo(no);
        } finally {
            content.release();
        }
    }

    static Stream<Arguments> submissionFields() {
        return Stream.of(
                Arguments.of("Message-ID: <a@b>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n", true, true),
                Arguments.of("message-id:<a@b>\r\ndate:x\r\n\r\n", true, true), // any case, no space
                // RFC 5322 4.5: white space before the colon (obsolete syntax, still a field)
                Arguments.of("Message-ID : <a@b>\r\nDate\t: x\r\n\r\n", true, true),
                Arguments.of("Message-IDs: <a@b>\r\nDated: x\r\n\r\n", false, false), // other fields
                Arguments.of("Message-ID <a@b>\r\nDate x\r\n\r\n", false, false), // no colon
                Arguments.of("A: 1\r\n\r\nMessage-ID: <a@b>\r\nDate: x\r\n", false, false)); // in the body
    }

    @ParameterizedTest
    @MethodSource("submissionFields")
    void findsMessageIdAndDate(String message, boolean messageId, boolean date) {
        ByteBuf content = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            HeaderScan scan = HeaderScan.of(content, MAX_OCTETS, MAX_FIELDS);
            assertThat(scan.hasMessageId()).isEqualTo(messageId);
            assertThat(scan.hasDate()).isEqualTo(date);
        } finally {
            content.release();
        }
    }

    /**
     * Found by HeaderScanFuzzTest: a line starting with a bare CR exactly at the size limit was taken for
     * the empty line ending the header section. It is not that line, nor a field: the body begins there,
     * and what follows is not counted (the listeners refuse bare CRs anyway).
     */
    @ParameterizedTest
    @MethodSource("bareCrLines")
    void aBareCrLineIsNotTheEmptyLine(String message, boolean overLimit) {
        ByteBuf content = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            assertThat(HeaderScan.of(content, MAX_OCTETS, MAX_FIELDS).overLimit())
                    .isEqualTo(overLimit);
        } finally {
            content.release();
        }
    }

    static Stream<Arguments> bareCrLines() {
        return Stream.of(
                Arguments.of("A: " + "x".repeat(95) + "\r\n\rB: " + "y".repeat(500) + "\r\n\r\n", false), // CR at 100
                Arguments.of("A: 1\r\n\rB", false), // an unfinished last line of two octets, within the limits
                Arguments.of("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\rE: 5\r\nF: 6\r\n\r\n", false), // not a fifth field
                Arguments.of("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\rF\r\n\r\n", true), // over before it
                Arguments.of("A: 1\r\n\r", false)); // a CR that ends the message ends the header section
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                | message                           | begins with body
            a field                               | 'Subject: hi\\r\\n\\r\\nbody'    | false
            a field with white space before colon | 'Subject : hi\\r\\n'             | false
            an empty header section               | '\\r\\nbody\\r\\n'              | false
            an empty message                      | ''                                | false
            a text line                           | 'just a body line\\r\\n'         | true
            a line with a colon after a space     | 'Dear Sir: hello\\r\\n'          | true
            a colon first                         | ':x\\r\\n'                       | true
            a continuation line first             | ' Subject: hi\\r\\n'             | true
            a name cut by the line end            | 'Subject\\r\\n'                  | true
            an mbox From_ line                    | 'From a@b.test Mon Dec  7\\r\\n' | true
            """)
    void findsAMessageWithNoHeaderSection(String what, String message, boolean body) {
        ByteBuf content =
                Unpooled.copiedBuffer(message.replace("\\r", "\r").replace("\\n", "\n"), StandardCharsets.US_ASCII);
        try {
            assertThat(HeaderScan.of(content, MAX_OCTETS, MAX_FIELDS).bodyStart() == 0)
                    .as(what)
                    .isEqualTo(body);
            assertThat(content.readerIndex()).as("reads in place").isZero();
        } finally {
            content.release();
        }
    }

    @org.junit.jupiter.api.Test
    void aFieldNameLongerThanALineIsNotOne() {
        ByteBuf content =
                Unpooled.copiedBuffer("x".repeat(HeaderScan.MAX_FIELD_NAME + 1) + ": v\r\n", StandardCharsets.US_ASCII);
        try {
            assertThat(HeaderScan.of(content, 1 << 20, MAX_FIELDS).bodyStart()).isZero();
        } finally {
            content.release();
        }
    }

    private static Arguments row(String message, boolean overLimit, int received) {
        return Arguments.of(message, overLimit, received);
    }

    /** Where the body begins with no empty line before it: the first line that is no field, or none (-1). */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                 | message                                    | body start
            an empty line ends the header section  | 'A: 1\\r\\n\\r\\nbody\\r\\n'                | -1
            no empty line: all header section      | 'A: 1\\r\\nB: 2\\r\\n'                      | -1
            no header section                      | 'text\\r\\nA: 1\\r\\n'                      | 0
            a line that is no field, after two     | 'A: 1\\r\\n b\\r\\nnot a field\\r\\nC: 3\\r\\n' | 10
            """)
    void findsWhereTheBodyBeginsWithNoEmptyLine(String what, String message, int bodyStart) {
        ByteBuf content =
                Unpooled.copiedBuffer(message.replace("\\r", "\r").replace("\\n", "\n"), StandardCharsets.US_ASCII);
        try {
            assertThat(HeaderScan.of(content, MAX_OCTETS, MAX_FIELDS).bodyStart())
                    .as(what)
                    .isEqualTo(bodyStart);
        } finally {
            content.release();
        }
    }
}
