package dev.tern.smtp.codec;

import static dev.tern.smtp.codec.DecoderHarness.assertDecodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** DATA bodies (RFC 5321 4.5.2) and BDAT chunks (RFC 3030) through {@link SmtpLineDecoder}. */
class SmtpLineDecoderBodyTest {

    @Test
    void decodesBodyBetweenPipelinedCommands() {
        assertDecodes(
                "MAIL FROM:<a@b.example>\r\nDATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nMAIL FROM:<c@d.example>\r\nQUIT\r\n",
                "LINE:MAIL FROM:<a@b.example>",
                "LINE:DATA",
                "DATA[Subject: hi\r\n\r\nbody\r\n]",
                "LINE:MAIL FROM:<c@d.example>",
                "LINE:QUIT");
    }

    static Stream<Arguments> dotStuffing() {
        return Stream.of(
                arguments(".\r\n", ""), // "." as the first line: empty message
                arguments("a\r\n.\r\n", "a\r\n"), // the CRLF before the dot belongs to the message
                arguments("..\r\n.\r\n", ".\r\n"), // a line of one dot, stuffed
                arguments("..x\r\n.\r\n", ".x\r\n"), // stuffed dot removed
                arguments("...\r\n.\r\n", "..\r\n"), // only the first dot removed
                arguments(".x\r\n.\r\n", "x\r\n"), // first dot removed even when not doubled
                arguments("a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n"), // dots inside lines are kept
                arguments("\r\n.\r\n", "\r\n"), // empty line, then the end
                arguments(". \r\n.\r\n", " \r\n"), // dot space is not the end
                arguments("a\r\n..\r\n\r\n.\r\n", "a\r\n.\r\n\r\n")); // stuffed dot line, empty line
    }

    @ParameterizedTest
    @MethodSource("dotStuffing")
    void unstuffsDotsAndEndsAtDotLine(String wire, String content) {
        assertDecodes("DATA\r\n" + wire + "NOOP\r\n", "LINE:DATA", "DATA[" + content + "]", "LINE:NOOP");
    }

    static Stream<Arguments> smuggling() {
        return Stream.of(
                arguments("\n.\n", "\n.\n"), // LF dot LF
                arguments("\r.\r", "\r.\r"), // CR dot CR
                arguments("\r.\r\n", "\r.\r\n"), // CR dot CRLF
                arguments("\n.\r\n", "\n.\r\n"), // LF dot CRLF
                arguments("\r\n.\n", "\r\n\n"), // CRLF dot LF: the dot starts a line and is removed
                arguments("\r\n.\r", "\r\n\r"), // CRLF dot CR
                arguments("\r\n.\r\r\n", "\r\n\r\r\n"), // CRLF dot CR CRLF
                arguments("\n\r\n.\n\r\n", "\n\r\n\n\r\n")); // mixed, no real terminator
    }

    @ParameterizedTest
    @MethodSource("smuggling")
    void neverEndsDataAtBareLineEndings(String shape, String content) {
        assertDecodes(
                "DATA\r\nA" + shape + "MAIL FROM:<x@y.example>\r\n.\r\nQUIT\r\n",
                "LINE:DATA",
                "DATA[A" + content + "MAIL FROM:<x@y.example>\r\n] bare",
                "LINE:QUIT");
    }

    static Stream<Arguments> textLengths() {
        return Stream.of(
                arguments("x".repeat(998) + "\r\n", ""), // 1000 octets: the limit
                arguments("x".repeat(999) + "\r\n", " tooLong"), // 1001 octets
                arguments("." + "x".repeat(998) + "\r\n", ""), // stuffed dot not counted (4.5.3.1.6)
                arguments("x".repeat(997) + "\r\r\n", " bare"), // 1000 octets with a bare CR
                arguments("x".repeat(1500) + "\r\n", " tooLong")); // far over
    }

    @ParameterizedTest
    @MethodSource("textLengths")
    void flagsTextLinesOverLimit(String line, String flags) {
        String content = line.startsWith(".") ? line.substring(1) : line;
        assertDecodes(
                "DATA\r\nshort\r\n" + line + "short\r\n.\r\nQUIT\r\n",
                "LINE:DATA",
                "DATA[short\r\n" + content + "short\r\n]" + flags,
                "LINE:QUIT");
    }

    @Test
    void streamsHugeLineWithoutBufferingIt() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("DATA\r\n");
        String kilobyte = "x".repeat(1024);
        for (int i = 0; i < 100; i++) {
            harness.write(kilobyte);
            assertThat(harness.decoder.bufferedBytes()).isLessThanOrEqualTo(1);
        }
        assertThat(harness.dataContents).as("emitted as it arrives").isEqualTo(100);
        harness.write("\r\n.\r\n");
        assertThat(harness.events).hasSize(2);
        String data = harness.events.get(1);
        assertThat(data.length()).isEqualTo("DATA[\r\n] tooLong".length() + 100 * 1024);
        assertThat(data.substring(data.length() - 20)).endsWith("xx\r\n] tooLong");
        harness.finish();
    }

    @Test
    void coversSeveralLinesWithOneSlice() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("DATA\r\none\r\ntwo\r\nthree\r\n");
        assertThat(harness.dataContents).isEqualTo(1);
        harness.write("..four\r\nfive\r\n.\r\n");
        assertThat(harness.dataContents).as("a stuffed dot splits the run").isEqualTo(2);
        assertThat(harness.finish()).containsExactly("LINE:DATA", "DATA[one\r\ntwo\r\nthree\r\n.four\r\nfive\r\n]");
    }

    @Test
    void emitsNoDataEndWhenInputClosesMidBody() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("DATA\r\nhello\r\n.");
        assertThat(harness.decoder.inBody()).isTrue();
        assertThat(harness.finish()).containsExactly("LINE:DATA");
    }

    @Test
    void returnsToCommandModeAfterBody() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("DATA\r\nx\r\n.\r\n");
        assertThat(harness.decoder.inBody()).isFalse();
        harness.write("BDAT 3\r\nab");
        assertThat(harness.decoder.inBody()).isTrue();
        harness.write("c");
        assertThat(harness.decoder.inBody()).isFalse();
        assertThat(harness.finish()).containsExactly("LINE:DATA", "DATA[x\r\n]", "LINE:BDAT 3", "CHUNK[abc]");
    }

    @Test
    void decodesChunksRawAndPipelinedCommandsAfterThem() {
        assertDecodes(
                "BDAT 7\r\n.\r\n\n..\rBDAT 0 LAST\r\nQUIT\r\n",
                "LINE:BDAT 7",
                "CHUNK[.\r\n\n..\r]",
                "LINE:BDAT 0 LAST",
                "CHUNK[]",
                "LINE:QUIT");
    }

    @Test
    void endsChunkThatEndsWithTheBuffer() {
        assertDecodes("BDAT 3\r\nabcBDAT 2 LAST\r\nde", "LINE:BDAT 3", "CHUNK[abc]", "LINE:BDAT 2 LAST", "CHUNK[de]");
    }

    @Test
    void endsEmptyChunkAtOnce() {
        assertThat(DecoderHarness.decode("BDAT 0 LAST\r\n")).containsExactly("LINE:BDAT 0 LAST", "CHUNK[]");
    }

    @Test
    void holdsChunkEndWhilePausedOnContent() {
        DecoderHarness harness = new DecoderHarness();
        harness.pauseOnContent = true;
        harness.write("BDAT 3\r\nabcNOOP\r\n");
        assertThat(harness.events).containsExactly("LINE:BDAT 3");
        harness.pauseOnContent = false;
        harness.decoder.resume();
        assertThat(harness.finish()).containsExactly("LINE:BDAT 3", "CHUNK[abc]", "LINE:NOOP");
    }

    @Test
    void holdsChunkEndAtBufferEndWhilePaused() {
        DecoderHarness harness = new DecoderHarness();
        harness.pauseOnContent = true;
        harness.write("BDAT 3\r\nabc");
        assertThat(harness.events).containsExactly("LINE:BDAT 3");
        harness.pauseOnContent = false;
        harness.decoder.resume();
        assertThat(harness.finish()).containsExactly("LINE:BDAT 3", "CHUNK[abc]");
    }

    @Test
    void reportsCleanBody() {
        assertThat(new DataEnd(false, false).isClean()).isTrue();
        assertThat(new DataEnd(true, false).isClean()).isFalse();
        assertThat(new DataEnd(false, true).isClean()).isFalse();
    }
}
