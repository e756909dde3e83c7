package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpVerb;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpCommandDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new SmtpCommandDecoder());

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            ignoreLeadingAndTrailingWhitespace = false,
            textBlock =
                    """
            MAIL FROM:<a@example.com>|MAIL|FROM:<a@example.com>
            mail FROM:<a@example.com>|MAIL|FROM:<a@example.com>
            QUIT|QUIT|""
            "EHLO "|EHLO|""
            NOOP  x|NOOP|" x"
            ""|UNKNOWN|""
            XYZZY arg|UNKNOWN|arg
            MAIL\tFROM:<>|MAIL|FROM:<>
            BDAT\t10 LAST|BDAT|10 LAST
            DATA\t|DATA|""
            BDATA 10|UNKNOWN|10
            StartTLS|STARTTLS|""
            AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=|AUTH|PLAIN dGVzdAB0ZXN0AHRlc3Q=
            RCPT TO:<ü@bücher.example>|RCPT|TO:<ü@bücher.example>
            """)
    void splitsVerbAndArgumentAtTheFirstSpaceOrTab(String line, SmtpVerb verb, String argument) {
        // CsvSource has no escape for a tab; the table writes it as \t.
        String text = line.replace("\\t", "\t");
        assertThat(channel.writeInbound(utf8(text))).isTrue();
        SmtpCommand command = channel.readInbound();
        assertThat(command).isEqualTo(new SmtpCommand(verb, argument, text));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** Lines another reader may take for BDAT: a BDAT without a size, which the session ends at. */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {"BDAT\u000b10 LAST", "bdat\u000c10", "BDAT\u0000", " BDAT 10", "\t BDAT 10 LAST", "BDAT,10"})
    void aLineThatMayBeReadAsBdatIsABdatWithoutASize(String line) {
        assertThat(channel.writeInbound(utf8(line))).isTrue();
        SmtpCommand command = channel.readInbound();
        assertThat(command).isEqualTo(new SmtpCommand(SmtpVerb.BDAT, "", line));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
        "4d41494c2080, lone continuation byte",
        "4d41494c20c0af, overlong encoding of /",
        "4d41494c20eda080, UTF-8 encoded surrogate",
        "4d41494c20e282, truncated three-byte sequence",
        "4d41494c20f4908080, code point above U+10FFFF",
        "4d41494c20ff, byte that never occurs in UTF-8",
    })
    void answersInvalidUtf8WithAReply(String hex, String why) {
        ByteBuf line = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        channel.writeInbound(line);
        assertThat((Object) channel.readInbound()).as(why).isEqualTo(SmtpReplies.INVALID_UTF8);
        assertThat(line.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void releasesEveryLine() {
        ByteBuf line = utf8("NOOP");
        channel.writeInbound(line);
        assertThat(line.refCnt()).isZero();
        assertThat((Object) channel.readInbound()).isEqualTo(SmtpCommand.of(SmtpVerb.NOOP, ""));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void decodesUtf8SplitAcrossComponents() {
        byte[] bytes = "RCPT TO:<ü@example.com>".getBytes(StandardCharsets.UTF_8);
        int split = "RCPT TO:<".length() + 1; // inside the two bytes of ü
        CompositeByteBuf line = Unpooled.compositeBuffer();
        line.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, split));
        line.addComponent(true, Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
        channel.writeInbound(line);
        SmtpCommand command = channel.readInbound();
        assertThat(command.argument()).isEqualTo("TO:<ü@example.com>");
        assertThat(line.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aVerbSpelledWithLettersOutsideUsAsciiIsAnUnknownCommand() {
        // In UTF-8 these are well-formed, and Unicode's capitals of the dotless i and the long s are I
        // and S: a verb is compared in US-ASCII only, as a filter in front of Tern reads it.
        channel.writeInbound(utf8("MA\u0131L FROM:<a@example.com>"), utf8("\u017FTARTTLS"));
        assertThat(((SmtpCommand) channel.readInbound()).verb()).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(((SmtpCommand) channel.readInbound()).verb()).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void keepsOrderOfSeveralLines() {
        channel.writeInbound(utf8("EHLO client.example"), utf8("MAIL FROM:<>"), utf8("QUIT"));
        assertThat(((SmtpCommand) channel.readInbound()).verb()).isEqualTo(SmtpVerb.EHLO);
        assertThat(((SmtpCommand) channel.readInbound()).verb()).isEqualTo(SmtpVerb.MAIL);
        assertThat(((SmtpCommand) channel.readInbound()).verb()).isEqualTo(SmtpVerb.QUIT);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void passesOtherMessagesThroughWithTheirReference() {
        ByteBufHolder body = new DefaultByteBufHolder(utf8("body bytes"));
        Object marker = new Object();
        channel.writeInbound(body, marker);
        ByteBufHolder passed = channel.readInbound();
        assertThat(passed).isSameAs(body);
        assertThat(passed.refCnt()).isEqualTo(1);
        assertThat((Object) channel.readInbound()).isSameAs(marker);
        passed.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
