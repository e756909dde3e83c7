package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Folding lines over 998 octets before relaying, the way Postfix's smtp_line_length_limit does. */
class LongLinesTest {
    private static final String HEAD = "From: a@b.test\r\nSubject: s\r\n\r\n";
    private static final Pattern FOLD = Pattern.compile("\r\n(?=[ \t])");

    static List<Arguments> whiteSpaceFolds() {
        return List.of(
                // a header field of words: folded before a space, unfolds to itself (RFC 5322 2.2.3)
                Arguments.of("Subject: " + "word ".repeat(1000).strip() + "\r\nTo: c@d.test\r\n\r\nbody\r\n"),
                // with tabs
                Arguments.of("X-List: " + "item\t".repeat(600) + "end\r\n\r\nbody\r\n"),
                // a continuation line that is itself too long
                Arguments.of("Subject: short\r\n " + "b ".repeat(1200) + "end\r\n\r\nbody\r\n"),
                // a body line of words: broken before a space, nothing added
                Arguments.of(HEAD + "text " + "lorem ipsum ".repeat(400) + "\r\nnext\r\n"));
    }

    @ParameterizedTest
    @MethodSource("whiteSpaceFolds")
    void foldsBeforeWhiteSpaceSoThatUnfoldingRestoresTheLine(String message) {
        String folded = fold(message);

        assertThat(folded).isNotEqualTo(message);
        assertShort(folded);
        // Only line breaks were added, each in front of white space: unfolding gives the same field.
        assertThat(folded.replace("\r\n", "")).isEqualTo(message.replace("\r\n", ""));
        assertThat(FOLD.matcher(folded).replaceAll(""))
                .isEqualTo(FOLD.matcher(message).replaceAll(""));
    }

    static List<Arguments> hardFolds() {
        return List.of(
                // no white space at all: CRLF and a space after 998 octets, then after 997 more
                Arguments.of(
                        HEAD + "x".repeat(2500) + "\r\n",
                        HEAD + "x".repeat(998) + "\r\n " + "x".repeat(997) + "\r\n " + "x".repeat(505) + "\r\n"),
                // one octet too many
                Arguments.of(HEAD + "y".repeat(999) + "\r\n", HEAD + "y".repeat(998) + "\r\n y\r\n"),
                // the name and colon stay together; the only space is right after the colon
                Arguments.of(
                        "X-Token: " + "t".repeat(2000) + "\r\n\r\nb\r\n",
                        "X-Token:\r\n " + "t".repeat(997) + "\r\n " + "t".repeat(997) + "\r\n " + "t".repeat(6)
                                + "\r\n\r\nb\r\n"),
                // the last line of a message without its CRLF
                Arguments.of(HEAD + "z".repeat(1000), HEAD + "z".repeat(998) + "\r\n zz"));
    }

    @ParameterizedTest
    @MethodSource("hardFolds")
    void insertsASpaceWhereALineHasNoWhiteSpaceToFoldAt(String message, String expected) {
        String folded = fold(message);

        assertThat(folded).isEqualTo(expected);
        assertShort(folded);
    }

    @ParameterizedTest
    @MethodSource("unchanged")
    void leavesLinesWithinTheLimitAsTheyAre(String message) {
        assertThat(fold(message)).isEqualTo(message);
    }

    static List<String> unchanged() {
        return List.of(
                HEAD + "short\r\n", // the usual message
                HEAD + "x".repeat(998) + "\r\n", // RFC 5321 4.5.3.1.6: 998 octets and CRLF is the limit
                "Subject: " + "y".repeat(989) + "\r\n\r\n", // a header line of exactly 998
                "", // nothing
                HEAD + "x".repeat(998)); // no CRLF at the end
    }

    @Test
    void neverSplitsAUtf8Character() throws CharacterCodingException {
        // Two-octet characters after one ASCII octet: octet 998 is the second half of a character.
        String message = HEAD + "x" + "é".repeat(1500) + "\r\n";

        String folded = fold(message);

        assertShort(folded);
        for (String line : folded.split("\r\n")) {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(folded.replace("\r\n ", "")).isEqualTo(message);
        assertThat(folded.split("\r\n")[3].getBytes(StandardCharsets.UTF_8)).hasSize(997);
    }

    /**
     * Octets that are no UTF-8 (a run of continuation octets, 0x80) are cut into pieces of 998, not one octet at a
     * time: a 60,000-octet line so folded made about 60,000 lines of two octets and cost gigabytes.
     */
    @Test
    void cutsARunOfContinuationOctetsIntoWholePieces() {
        byte[] line = new byte[60_000];
        Arrays.fill(line, (byte) 0x80);
        ByteBuf in = Unpooled.wrappedBuffer(
                Unpooled.copiedBuffer(HEAD, StandardCharsets.US_ASCII),
                Unpooled.wrappedBuffer(line),
                Unpooled.copiedBuffer("\r\n", StandardCharsets.US_ASCII));
        ByteBuf out = LongLines.fold(in, ByteBufAllocator.DEFAULT);
        try {
            String folded = out.toString(StandardCharsets.ISO_8859_1); // one char per octet
            assertThat(folded.split("\r\n"))
                    .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(998));
            long bodyLines = folded.substring(HEAD.length()).split("\r\n").length;
            assertThat(bodyLines)
                    .as("pieces of 998 (997 after an inserted space)")
                    .isBetween(60L, 62L);
            assertThat(out.readableBytes()).isLessThan(in.readableBytes() + 200);
        } finally {
            out.release();
            in.release();
        }
    }

    private static void assertShort(String folded) {
        assertThat(Arrays.stream(folded.split("\r\n", -1)))
                .allSatisfy(line -> assertThat(line.getBytes(StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(LongLines.MAX_TEXT));
    }

    private static String fold(String message) {
        ByteBuf in = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        ByteBuf out = LongLines.fold(in, ByteBufAllocator.DEFAULT);
        try {
            assertThat(in.readerIndex()).isZero();
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
            in.release();
        }
    }
}
