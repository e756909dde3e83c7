package dev.tern.smtp.codec;

import static dev.tern.smtp.codec.DecoderHarness.assertDecodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

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
                arguments("NO\nOP\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT")), // LF inside a line
                arguments("NOOP\n\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT")), // LF just before CRLF
                arguments("NOOP\nQUIT\r\n", List.of("BARE_LINE_ENDING")), // a bare LF ends nothing: one line
                arguments("NO\rOP\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT")), // CR inside a line
                arguments("NOOP\rQUIT\r\n", List.of("BARE_LINE_ENDING")), // a bare CR ends nothing: one line
                arguments("NOOP\r\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT")), // CR CR LF
                arguments("NOOP\n\rQUIT\r\n", List.of("BARE_LINE_ENDING")), // LF CR is not a line end
                arguments("\nNOOP\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT")), // leading LF
                arguments("\r\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT")), // CR alone on a line
                arguments("\n\r\nQUIT\r\n", List.of("BARE_LINE_ENDING", "LINE:QUIT"))); // LF alone on a line
    }

    @ParameterizedTest
    @MethodSource("bareLineEndings")
    void refusesLinesWithBareCrOrLf(String input, List<String> expected) {
        assertDecodes(input, expected.toArray(String[]::new));
    }

    static Stream<Arguments> commandLengths() {
        return Stream.of(
                arguments("N".repeat(510) + "\r\n", "LINE:" + "N".repeat(510)), // 512 octets: the limit
                arguments("N".repeat(511) + "\r\n", "TOO_LONG"), // 513 octets
                arguments("N".repeat(2000) + "\r\n", "TOO_LONG"), // far over, one error only
                arguments("N".repeat(600) + "\n\r" + "N".repeat(600) + "\r\n", "TOO_LONG"), // bare in discarded part
                arguments("N".repeat(509) + "\r\r\n", "BARE_LINE_ENDING"), // 512 octets with a bare CR
                arguments("\r\n", "LINE:")); // empty line
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
        assertThat(harness.channel.config().isAutoRead()).isFalse();

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
