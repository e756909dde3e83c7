package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SmtpReplyDecoderTest {
    private static final String CONVERSATION = "220 mx.example ESMTP\r\n"
            + "250-mx.example Hello\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
            + "550-5.1.1 No such\r\n550 5.1.1 user\r\n"
            + "354 Go ahead\r\n";
    private static final List<SmtpReply> EXPECTED = List.of(
            new SmtpReply(220, null, List.of("mx.example ESMTP")),
            new SmtpReply(250, null, List.of("mx.example Hello", "PIPELINING", "SIZE 1000")),
            new SmtpReply(550, new EnhancedStatus(5, 1, 1), List.of("No such", "user")),
            new SmtpReply(354, null, List.of("Go ahead")));

    @Test
    void decodesInputSplitAtEveryByte() {
        byte[] bytes = CONVERSATION.getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= bytes.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            assertThat(readAll(channel)).as("split at %d", split).isEqualTo(EXPECTED);
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void decodesInputFedOneByteAtATime() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
        for (byte b : CONVERSATION.getBytes(StandardCharsets.US_ASCII)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(readAll(channel)).isEqualTo(EXPECTED);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /**
     * A server answering with 100 lines of 4,000 octets: every line is read, the text past 16 KiB dropped, and the
     * next reply in step; what is kept of it once it decided an outcome is bounded (Postfix keeps
     * 2,048 octets of a reply).
     */
    @Test
    void readsAHugeReplyWholeAndKeepsABoundedShareOfIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
        StringBuilder huge = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            huge.append(i < 99 ? "451-4.3.0 " : "451 4.3.0 ")
                    .append("x".repeat(4_000))
                    .append("\r\n");
        }
        channel.writeInbound(Unpooled.copiedBuffer(huge + "250 2.0.0 Ok\r\n", StandardCharsets.US_ASCII));

        List<SmtpReply> replies = readAll(channel);
        assertThat(replies).hasSize(2);
        // While it waits to be read (every pipelined RCPT's reply until DATA's), it holds 16 KB of text, not 400 KB.
        assertThat(replies.get(0).lines().stream().mapToInt(String::length).sum())
                .isLessThanOrEqualTo(SmtpReplyDecoder.MAX_READ_TEXT)
                .isGreaterThan(SmtpReplyDecoder.MAX_READ_TEXT - 100);
        SmtpReply kept = replies.get(0).bounded(SmtpReply.MAX_KEPT_TEXT);
        assertThat(kept.code()).isEqualTo(451);
        assertThat(kept.status()).isEqualTo(new EnhancedStatus(4, 3, 0));
        assertThat(kept.lines().stream().mapToInt(String::length).sum())
                .isLessThanOrEqualTo(SmtpReply.MAX_KEPT_TEXT)
                .isGreaterThan(SmtpReply.MAX_KEPT_TEXT - 10);
        assertThat(replies.get(1)).isEqualTo(new SmtpReply(250, new EnhancedStatus(2, 0, 0), List.of("Ok")));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** An EHLO reply longer than what is kept of a reply still gives every keyword it announces. */
    @Test
    void anEhloReplyIsReadWholeHoweverLong() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
        StringBuilder ehlo = new StringBuilder("250-mx.example " + "x".repeat(2_100) + "\r\n");
        for (int i = 0; i < 40; i++) {
            ehlo.append("250-X-EXT")
                    .append(i)
                    .append(' ')
                    .append("y".repeat(60))
                    .append("\r\n");
        }
        ehlo.append("250-AUTH GSSAPI GS2-KRB5 SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 DIGEST-MD5"
                + " CRAM-MD5 NTLM OTP SRP ANONYMOUS XOAUTH2 LOGIN PLAIN\r\n");
        ehlo.append("250-SIZE 1000\r\n250 STARTTLS\r\n");
        channel.writeInbound(Unpooled.copiedBuffer(ehlo.toString(), StandardCharsets.US_ASCII));

        dev.tern.smtp.EhloReply parsed =
                dev.tern.smtp.EhloReply.parse(readAll(channel).get(0));
        assertThat(parsed.supports("STARTTLS")).isTrue();
        assertThat(parsed.supports("SIZE")).isTrue();
        assertThat(parsed.authMechanisms()).contains("PLAIN", "LOGIN");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    static Stream<Arguments> wellFormed() {
        return Stream.of(
                row("250 Ok\r\n", reply(250, null, "Ok")), // plain
                row("250 2.1.0 Ok\r\n", reply(250, "2.1.0", "Ok")), // enhanced code lifted
                row("250 5.1.0 Ok\r\n", reply(250, null, "5.1.0 Ok")), // class differs from code: kept as text
                row("250\r\n", reply(250, null, "")), // no text at all
                row("250 \r\n", reply(250, null, "")), // SP and no text
                row("550 5.1.1\r\n", reply(550, "5.1.1", "")), // enhanced code only
                row("250 2.0.0.1 x\r\n", reply(250, null, "2.0.0.1 x")), // four parts: not a code
                row("250 2.1234.0 x\r\n", reply(250, null, "2.1234.0 x")), // subject of four digits
                row("421 4.7.0 Try later\r\n", reply(421, "4.7.0", "Try later")), // transient
                row("250-2.0.0 a\r\n250 b\r\n", reply(250, "2.0.0", "a", "b")), // code on the first line only
                row("250-2.0.0 a\r\n250 2.0.1 b\r\n", reply(250, "2.0.0", "a", "2.0.1 b")), // another code kept
                row("250-\r\n250 end\r\n", reply(250, null, "", "end")), // empty continuation line
                // A bare LF ends a line too, as Postfix's client reads it: a sloppy server is still understood.
                row("250 2.0.0 Ok\n", reply(250, "2.0.0", "Ok")),
                row("250-a\n250-b\r\n250 c\n", reply(250, null, "a", "b", "c")),
                row("550 5.1.1 <ü@example> unknown\r\n", reply(550, "5.1.1", "<ü@example> unknown")), // UTF-8
                // Escape sequences, NUL, DEL and C1 controls never reach a log or report; TAB stays.
                row("550 5.1.1 a\u001b[31mred\u0000\u007f\u009b\tb\r\n", reply(550, "5.1.1", "a?[31mred???\tb")),
                // Nor a bidi override or a line separator, which reorder or break what a reader sees.
                row("550 5.1.1 a\u202ebc\u2028d\r\n", reply(550, "5.1.1", "a?bc?d")));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource
    void wellFormed(String wire, SmtpReply expected) {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
        channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.UTF_8));
        assertThat(readAll(channel)).containsExactly(expected);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                row("25 Ok\r\n", "malformed reply line"), // two-digit code
                row("2500 Ok\r\n", "malformed reply line"), // four-digit code
                row("abc Ok\r\n", "malformed reply line"), // letters
                row("150 Ok\r\n", "malformed reply line"), // 1xx is not an SMTP reply
                row("650 Ok\r\n", "malformed reply line"), // 6xx
                row("2x0 Ok\r\n", "malformed reply line"), // letter inside the code
                row("250_Ok\r\n", "malformed reply line"), // wrong separator
                row("\r\n", "malformed reply line"), // empty line
                row("\n", "malformed reply line"), // an empty line ended by a bare LF
                row("250 O\rk\n", "bare CR"), // CR inside a line ended by a bare LF
                row("250 O\rk\r\n", "bare CR"), // CR inside the line
                row("250-a\r\n251 b\r\n", "reply code changed"), // code changes inside one reply
                row("250 " + "x".repeat(30) + "\r\n", "longer than 16"), // over-long complete line
                row("250 " + "x".repeat(30), "longer than 16"), // over-long line still waiting for LF
                row("250-x\r\n".repeat(101), "longer than 100 lines")); // too many lines
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource
    void malformed(String wire, String message) {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder(16));
        ByteBuf in = Unpooled.copiedBuffer(wire, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOf(DecoderException.class)
                .hasMessageContaining(message);
        assertThat(in.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void discardsEverythingAfterAProtocolError() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
        assertThatThrownBy(() -> channel.writeInbound(ascii("250 O\rk\r\n"))).isInstanceOf(DecoderException.class);
        channel.writeInbound(ascii("250 Ok\r\n"));
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void acceptsALineOfExactlyTheLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder(16));
        channel.writeInbound(ascii("250 " + "x".repeat(12) + "\r\n"));
        assertThat(readAll(channel)).containsExactly(reply(250, null, "x".repeat(12)));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void acceptsOneHundredLines() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder());
        channel.writeInbound(ascii("250-x\r\n".repeat(99) + "250 x\r\n"));
        SmtpReply reply = channel.readInbound();
        assertThat(reply.lines()).hasSize(100);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private static List<SmtpReply> readAll(EmbeddedChannel channel) {
        List<SmtpReply> replies = new ArrayList<>();
        for (SmtpReply reply; (reply = channel.readInbound()) != null; ) {
            replies.add(reply);
        }
        return replies;
    }

    private static SmtpReply reply(int code, String status, String... lines) {
        return new SmtpReply(code, status == null ? null : EnhancedStatus.parse(status), List.of(lines));
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static Arguments row(Object... values) {
        return Arguments.of(values);
    }
}
