package dev.tern.smtp.codec;

import static dev.tern.smtp.codec.DecoderHarness.assertDecodes;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Command mode, limits and flow control of {@link SmtpLineDecoder}. */
class SmtpLineDecoderTest {

    @Test
    void splitsPipelinedCommandsIntoLines() {
        assertDecodes(
                "EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n\r\nRCPT TO:<c@d.example>\r\nNO",
                "LINE:EHLO client.example",
                "LINE:MAIL FROM:<a@b.example>",
                "LINE:",
                "LINE:RCPT TO:<c@d.example>");
    }

    static Stream<Arguments> bareLineEndings() {
        return Stream.of(
                arguments("NOOP\nQUIT\r\n", List.of("BARE", "LINE:QUIT")), // a bare LF ends its line, refused
                arguments("NO\nOP\r\nQUIT\r\n", List.of("BARE", "LINE:OP", "LINE:QUIT")), // LF inside a line
                arguments("NOOP\n\r\nQUIT\r\n", List.of("BARE", "LINE:", "LINE:QUIT")), // LF, then an empty line
                arguments("\nNOOP\r\nQUIT\r\n", List.of("BARE", "LINE:NOOP", "LINE:QUIT")), // leading LF
                arguments("\n\nQUIT\r\n", List.of("BARE", "BARE", "LINE:QUIT")), // two LF-only empty lines
                arguments("NO\rOP\r\nQUIT\r\n", List.of("BARE", "LINE:QUIT")), // CR inside: rest of line skipped
                arguments("NOOP\rQUIT\r\n", List.of("BARE")), // a bare CR is no line end: QUIT is skipped
                arguments("NOOP\r\r\nQUIT\r\n", List.of("BARE", "LINE:QUIT")), // CR CR LF: one bad line
                arguments("NOOP\rX\nQUIT\r\n", List.of("BARE", "LINE:QUIT")), // skipping ends at a bare LF too
                arguments("NOOP\n\rQUIT\r\n", List.of("BARE", "BARE")), // LF CR: two bad lines
                arguments("\r\r\nQUIT\r\n", List.of("BARE", "LINE:QUIT")), // CR alone on a line
                arguments("NOOP\r" + "X".repeat(2000) + "\r\nQUIT\r\n", List.of("BARE", "LINE:QUIT"))); // long rest
    }

    @ParameterizedTest
    @MethodSource("bareLineEndings")
    void refusesLinesWithBareCrOrLf(String input, List<String> expected) {
        assertDecodes(
                input,
                expected.stream()
                        .map(e -> e.replace("BARE", "BARE_LINE_ENDING"))
                        .toArray(String[]::new));
    }

    static Stream<Arguments> answeredAtOnce() {
        return Stream.of(
                arguments("NOOP\n", List.of("BARE_LINE_ENDING")), // LF-terminated command, nothing after it
                arguments("\n", List.of("BARE_LINE_ENDING")), // an empty LF-terminated line
                arguments("NOOP\rX", List.of("BARE_LINE_ENDING")), // CR followed by anything but LF
                arguments("NOOP\r", List.of()), // a CR last: the next octet tells CRLF from a bare CR
                arguments("N".repeat(600) + "\n", List.of("TOO_LONG")), // a too-long line ended by a bare LF
                arguments("N".repeat(600) + "\rX", List.of("TOO_LONG"))); // ... or by a bare CR
    }

    /** Nothing more arrives and the channel stays open: the answer must not wait for a CRLF. */
    @ParameterizedTest
    @MethodSource("answeredAtOnce")
    void answersBareLineEndingsWithoutWaitingForCrlf(String input, List<String> expected) {
        DecoderHarness whole = new DecoderHarness();
        whole.write(input);
        assertThat(whole.events).as("one buffer").containsExactlyElementsOf(expected);
        whole.finish();
        DecoderHarness byteByByte = new DecoderHarness();
        for (char c : input.toCharArray()) {
            byteByByte.write(String.valueOf(c));
        }
        assertThat(byteByByte.events).as("byte by byte").containsExactlyElementsOf(expected);
        byteByByte.finish();
    }

    @Test
    void staysInStepWithAClientThatEndsLinesWithLf() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("EHLO c\n");
        harness.write("NOOP\n");
        assertThat(harness.events).containsExactly("BARE_LINE_ENDING", "BARE_LINE_ENDING");
        harness.write("NOOP\r\n");
        assertThat(harness.finish()).containsExactly("BARE_LINE_ENDING", "BARE_LINE_ENDING", "LINE:NOOP");
    }

    @Test
    void answersABareLfAtOnceUnderTheLongerAuthLimit() {
        // RFC 4954 4: AUTH responses may be 12,288 octets; a bare LF in one is still answered at once.
        DecoderHarness harness = new DecoderHarness();
        harness.decoder.maxCommandLineLength(12_288);
        harness.write("x".repeat(9_000) + "\n");
        assertThat(harness.events).containsExactly("BARE_LINE_ENDING");
        harness.write("x".repeat(9_000) + "\r\n");
        assertThat(harness.finish()).containsExactly("BARE_LINE_ENDING", "LINE:" + "x".repeat(9_000));
    }

    @Test
    void skipsTheRestOfALineAfterABareCrWithoutBufferingIt() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("NOOP\rX");
        for (int i = 0; i < 100; i++) {
            harness.write("N".repeat(1024));
            assertThat(harness.decoder.bufferedBytes()).isZero();
        }
        harness.write("\r\nNOOP\r\n");
        assertThat(harness.finish()).containsExactly("BARE_LINE_ENDING", "LINE:NOOP");
    }

    /**
     * A line another reader may take for BDAT, refused here (a bare CR or LF for its end, too long, or after a bare
     * CR, where a reader ending lines at a bare CR sees a line of its own) is answered as such; the line after it
     * is decoded as ever.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("bdatLookalikes")
    void answersALineThatMayBeReadAsBdatAsSuch(String input, String expected) {
        assertThat(DecoderHarness.decode(input + "NOOP\r\n")).containsExactly(expected, "LINE:NOOP");
    }

    static Stream<Arguments> bdatLookalikes() {
        return Stream.of(
                arguments("BDAT 6\n", "BDAT_BARE_LINE_ENDING"),
                arguments("bdat\t6\rX\r\n", "BDAT_BARE_LINE_ENDING"),
                arguments(" ".repeat(600) + "BDAT 6\r\n", "BDAT_TOO_LONG"),
                arguments("BDAT" + " ".repeat(600) + "6\r\n", "BDAT_TOO_LONG"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("bdatAfterABareCr")
    void answersALineThatMayBeReadAsBdatAfterABareCr(String input) {
        assertThat(DecoderHarness.decode(input + "NOOP\r\n"))
                .containsExactly("BARE_LINE_ENDING", "BDAT_BARE_LINE_ENDING", "LINE:NOOP");
    }

    static Stream<String> bdatAfterABareCr() {
        return Stream.of("\rBDAT 6\r\n", "XXXX\rBDAT 14\r\n", "X\rY\r\u007fbdat 6\r\n", "\r\rBDAT\r\n");
    }

    static Stream<Arguments> commandLengths() {
        return Stream.of(
                arguments("N".repeat(510) + "\r\n", "LINE:" + "N".repeat(510)), // 512 octets: the limit
                arguments("N".repeat(511) + "\r\n", "TOO_LONG"), // 513 octets
                arguments("N".repeat(2000) + "\r\n", "TOO_LONG"), // far over, one error only
                arguments("N".repeat(512) + "\n", "TOO_LONG"), // no line end within 512 octets: too long first
                arguments("N".repeat(600) + "\r" + "N".repeat(600) + "\r\n", "TOO_LONG"), // bare CR after the limit
                arguments("N".repeat(509) + "\r\r\n", "BARE_LINE_ENDING"), // 512 octets with a bare CR
                arguments("N".repeat(511) + "\n", "BARE_LINE_ENDING"), // 512 octets ended by a bare LF
                arguments("\r\n", "LINE:"), // empty line
                // MAIL and RCPT, in either case, take their extensions' parameters on top (RFC 3461 4, 4954 5).
                arguments(
                        padded("MAIL FROM:<a@b> ", 1202),
                        "LINE:" + padded("MAIL FROM:<a@b> ", 1202).strip()),
                arguments(padded("mail FROM:<a@b> ", 1203), "TOO_LONG"),
                arguments(
                        padded("RCPT TO:<a@b> ", 1012),
                        "LINE:" + padded("RCPT TO:<a@b> ", 1012).strip()),
                arguments(padded("rCpT TO:<a@b> ", 1013), "TOO_LONG"),
                arguments(padded("MAILX ", 513), "TOO_LONG"), // another verb keeps 512
                arguments(padded("NOOP RCPT ", 513), "TOO_LONG"));
    }

    /** {@code start} filled with x to a line of {@code octets}, CRLF included. */
    private static String padded(String start, int octets) {
        return start + "x".repeat(octets - start.length() - 2) + "\r\n";
    }

    @ParameterizedTest
    @MethodSource("commandLengths")
    void limitsCommandLinesIncludingCrlf(String line, String expected) {
        assertDecodes(line + "NOOP\r\n", expected, "LINE:NOOP");
    }

    @Test
    void discardsLongLineWithoutBufferingIt() {
        DecoderHarness harness = new DecoderHarness();
        String kilobyte = "N".repeat(1024);
        for (int i = 0; i < 100; i++) {
            harness.write(kilobyte);
            assertThat(harness.decoder.bufferedBytes()).isLessThan(DecoderHarness.COMMAND_LIMIT);
        }
        assertThat(harness.events).as("error waits for the end of the line").isEmpty();
        harness.write("\r");
        assertThat(harness.decoder.bufferedBytes()).isEqualTo(1);
        harness.write("\nNOOP\r\n");
        assertThat(harness.finish()).containsExactly("TOO_LONG", "LINE:NOOP");
    }

    @Test
    void dropsUnterminatedLineWhenInputCloses() {
        assertThat(DecoderHarness.decode("NOOP\r\nQUIT")).containsExactly("LINE:NOOP");
    }

    @Test
    void pauseHoldsPipelinedCommandsUntilResume() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("NOOP\r\nPAUSE\r\nMAIL FROM:<a@b.example>\r\nRCPT");
        assertThat(harness.events).containsExactly("LINE:NOOP", "LINE:PAUSE");
        assertThat(harness.channel.config().isAutoRead())
                .as("a few octets held cost no change of the socket's interest")
                .isTrue();

        harness.write(" TO:<c@d.example>\r\n");
        assertThat(harness.events).containsExactly("LINE:NOOP", "LINE:PAUSE");
        assertThat(harness.decoder.hasBufferedInput()).isTrue();

        int readCompletes = harness.readCompletes;
        harness.decoder.resume();
        assertThat(harness.channel.config().isAutoRead()).isTrue();
        assertThat(harness.readCompletes).as("replies get flushed").isGreaterThan(readCompletes);
        assertThat(harness.finish())
                .containsExactly(
                        "LINE:NOOP", "LINE:PAUSE", "LINE:MAIL FROM:<a@b.example>", "LINE:RCPT TO:<c@d.example>");
    }

    @Test
    void pauseStopsReadingOnceMoreThanTheLimitWaitsAndResumeReadsAgain() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("PAUSE\r\n");
        String line = "NOOP " + "x".repeat(400) + "\r\n";
        int written = 0;
        while (written <= SmtpLineDecoder.PAUSED_READ_LIMIT) {
            assertThat(harness.channel.config().isAutoRead()).isTrue();
            harness.write(line);
            written += line.length();
        }
        assertThat(harness.channel.config().isAutoRead())
                .as("reading stops past the limit")
                .isFalse();
        assertThat(harness.decoder.bufferedBytes()).isEqualTo(written);
        assertThat(harness.events).containsExactly("LINE:PAUSE");

        harness.decoder.resume();
        assertThat(harness.channel.config().isAutoRead()).isTrue();
        assertThat(harness.decoder.bufferedBytes()).isZero();
        assertThat(harness.events).hasSize(1 + written / line.length());
    }

    /** A harness whose channel turns unwritable once 16 octets of replies wait unsent. */
    private static DecoderHarness congestible() {
        DecoderHarness harness = new DecoderHarness();
        harness.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        return harness;
    }

    /** A reply written and not yet gone, as to a client that does not read: the channel is no longer writable. */
    private static void replyStuck(DecoderHarness harness) {
        harness.channel.write(Unpooled.copiedBuffer("250 2.0.0 Ok, and more than sixteen octets\r\n", ISO_8859_1));
        assertThat(harness.channel.isWritable()).isFalse();
    }

    @Test
    void repliesThatDoNotLeaveStopDecodingAndReadingUntilTheyDo() {
        DecoderHarness harness = congestible();
        harness.write("NOOP\r\n");
        replyStuck(harness);

        String line = "NOOP " + "x".repeat(400) + "\r\n";
        int written = 0;
        while (written <= SmtpLineDecoder.PAUSED_READ_LIMIT) {
            harness.write(line);
            written += line.length();
        }
        assertThat(harness.events).as("nothing decoded while the reply waits").containsExactly("LINE:NOOP");
        assertThat(harness.channel.config().isAutoRead())
                .as("reading stops past the limit")
                .isFalse();

        harness.channel.flush(); // the client reads: the reply leaves and the channel is writable again
        assertThat(harness.channel.isWritable()).isTrue();
        assertThat(harness.channel.config().isAutoRead()).isTrue();
        assertThat(harness.events).hasSize(1 + written / line.length());
        harness.channel.releaseOutbound();
        harness.finish();
    }

    @Test
    void aSessionPauseOutlastsCongestionAndCongestionOutlastsAResume() {
        DecoderHarness harness = congestible();
        harness.write("PAUSE\r\n");
        replyStuck(harness);
        harness.write("NOOP\r\n");

        harness.channel.flush();
        assertThat(harness.events).as("still paused by the session").containsExactly("LINE:PAUSE");

        replyStuck(harness);
        harness.decoder.resume();
        assertThat(harness.events).as("still congested").containsExactly("LINE:PAUSE");

        harness.channel.flush();
        assertThat(harness.events).containsExactly("LINE:PAUSE", "LINE:NOOP");
        harness.channel.releaseOutbound();
        harness.finish();
    }

    @Test
    void pauseHoldsInputFedByteByByte() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("PAUSE\r\n");
        for (char c : "NOOP\r\nQUIT\r\n".toCharArray()) {
            harness.write(String.valueOf(c));
        }
        assertThat(harness.events).containsExactly("LINE:PAUSE");
        harness.decoder.resume();
        assertThat(harness.finish()).containsExactly("LINE:PAUSE", "LINE:NOOP", "LINE:QUIT");
    }

    @Test
    void aHalfCloseIsPassedOnAtOnceWhenNothingWaits() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("NOOP\r\nQUI");
        harness.shutdownInput();
        assertThat(harness.finish()).containsExactly("LINE:NOOP", "INPUT_SHUTDOWN");
    }

    @Test
    void aHalfCloseWhilePausedWaitsForTheCommandsSentBeforeIt() {
        DecoderHarness harness = new DecoderHarness();
        // A message's end (here PAUSE) waits for its flush; the client pipelined two more and shut its side.
        harness.write("PAUSE\r\nPAUSE\r\nQUIT\r\n");
        harness.shutdownInput();
        assertThat(harness.events).containsExactly("LINE:PAUSE");

        harness.decoder.resume();
        assertThat(harness.events)
                .as("paused again by the second: the end of input still waits")
                .containsExactly("LINE:PAUSE", "LINE:PAUSE");

        harness.decoder.resume();
        harness.decoder.resume();
        assertThat(harness.finish()).containsExactly("LINE:PAUSE", "LINE:PAUSE", "LINE:QUIT", "INPUT_SHUTDOWN");
    }

    @Test
    void aHalfCloseInsideABodyDropsTheUnfinishedMessage() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("DATA\r\nSubject: cut\r\n\r\npart");
        harness.shutdownInput();
        assertThat(harness.finish()).containsExactly("LINE:DATA", "INPUT_SHUTDOWN");
    }

    @Test
    void resumeWithNothingBufferedWaitsForInput() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("PAUSE\r\n");
        harness.decoder.resume();
        assertThat(harness.decoder.hasBufferedInput()).isFalse();
        harness.write("NOOP\r\n");
        assertThat(harness.finish()).containsExactly("LINE:PAUSE", "LINE:NOOP");
    }

    @Test
    void reportsAndDiscardsPlaintextPipelinedAfterStarttls() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("STARTTLS\r\nMAIL FROM:<evil@x.example>\r\n");
        harness.write("EHLO again\r\n");
        assertThat(harness.finish()).containsExactly("LINE:STARTTLS", "BUFFERED:true", "LINE:EHLO again");
    }

    @Test
    void reportsNothingBufferedAfterLoneStarttls() {
        assertThat(DecoderHarness.decode("STARTTLS\r\n")).containsExactly("LINE:STARTTLS", "BUFFERED:false");
    }

    @Test
    void refusesModeSwitchOutsideCommandMode() {
        DecoderHarness harness = new DecoderHarness();
        harness.write("DATA\r\n");
        assertThat(harness.decoder.inBody()).isTrue();
        assertThatThrownBy(harness.decoder::startData).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> harness.decoder.startChunk(1)).isInstanceOf(IllegalStateException.class);
        harness.finish();
    }

    @Test
    void refusesNegativeChunkSizeAndTinyLimits() {
        assertThatThrownBy(() -> new SmtpLineDecoder(512, 1000).startChunk(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SmtpLineDecoder(1, 1000)).isInstanceOf(IllegalArgumentException.class);
    }
}
