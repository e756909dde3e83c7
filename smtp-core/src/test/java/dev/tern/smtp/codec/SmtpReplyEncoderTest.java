package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SmtpReplyEncoderTest {

    static Stream<Arguments> replies() {
        return Stream.of(
                row(SmtpReplies.OK, "250 2.0.0 Ok\r\n"), // single line with enhanced code
                row(SmtpReplies.START_MAIL_INPUT, "354 End data with <CR><LF>.<CR><LF>\r\n"), // no enhanced code
                row(
                        new SmtpReply(250, null, List.of("mx.example", "PIPELINING", "SIZE 1000")),
                        "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"), // EHLO-style multi-line
                row(
                        new SmtpReply(550, new EnhancedStatus(5, 7, 1), List.of("first", "second")),
                        "550-5.7.1 first\r\n550 5.7.1 second\r\n"), // RFC 2034: code on every line
                row(new SmtpReply(250, null, List.of("")), "250\r\n"), // empty text: no trailing SP
                row(new SmtpReply(250, null, List.of("", "")), "250-\r\n250\r\n"), // empty lines
                row(new SmtpReply(250, new EnhancedStatus(2, 0, 0), List.of("")), "250 2.0.0\r\n"), // code only
                // RFC 4954 8: continue-req = "334" SP [base64] CRLF, the SP even with nothing after it
                row(new SmtpReply(334, null, List.of("")), "334 \r\n"),
                row(
                        new SmtpReply(550, "5.1.1", "<ü@example.com> unknown"),
                        "550 5.1.1 <ü@example.com> unknown\r\n")); // UTF-8 text
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("replies")
    void writesReplies(SmtpReply reply, String wire) {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyEncoder());
        assertThat(channel.writeOutbound(reply)).isTrue();
        ByteBuf out = channel.readOutbound();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(wire);
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void oneInstanceServesSeveralChannels() {
        SmtpReplyEncoder shared = new SmtpReplyEncoder();
        EmbeddedChannel first = new EmbeddedChannel(shared);
        EmbeddedChannel second = new EmbeddedChannel(shared);
        first.writeOutbound(SmtpReplies.BYE);
        second.writeOutbound(SmtpReplies.OK);
        ByteBuf a = first.readOutbound();
        ByteBuf b = second.readOutbound();
        assertThat(a.toString(StandardCharsets.US_ASCII)).isEqualTo("221 2.0.0 Bye\r\n");
        assertThat(b.toString(StandardCharsets.US_ASCII)).isEqualTo("250 2.0.0 Ok\r\n");
        a.release();
        b.release();
        assertThat(first.finishAndReleaseAll()).isFalse();
        assertThat(second.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encodedRepliesDecodeToTheSameValue() {
        EmbeddedChannel server = new EmbeddedChannel(new SmtpReplyEncoder());
        EmbeddedChannel client = new EmbeddedChannel(new SmtpReplyDecoder());
        SmtpReply reply = new SmtpReply(452, new EnhancedStatus(4, 5, 3), List.of("Too many", "recipients"));
        server.writeOutbound(reply);
        client.writeInbound((ByteBuf) server.readOutbound());
        assertThat((Object) client.readInbound()).isEqualTo(reply);
        assertThat(server.finishAndReleaseAll()).isFalse();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    private static Arguments row(SmtpReply reply, String wire) {
        return Arguments.of(reply, wire);
    }
}
