package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpVerb;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmtpCommandEncoderTest {

    @Test
    void writesTheLineAndCrlf() {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpCommandEncoder());
        channel.writeOutbound(
                SmtpCommand.of(SmtpVerb.MAIL, "FROM:<ü@example.com> SMTPUTF8"), SmtpCommand.of(SmtpVerb.DATA, ""));
        ByteBuf mail = channel.readOutbound();
        ByteBuf data = channel.readOutbound();
        assertThat(mail.toString(StandardCharsets.UTF_8)).isEqualTo("MAIL FROM:<ü@example.com> SMTPUTF8\r\n");
        assertThat(data.toString(StandardCharsets.US_ASCII)).isEqualTo("DATA\r\n");
        mail.release();
        data.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encodedCommandsDecodeToTheSameCommand() {
        EmbeddedChannel client = new EmbeddedChannel(new SmtpCommandEncoder());
        EmbeddedChannel server = new EmbeddedChannel(new SmtpCommandDecoder());
        SmtpCommand command = SmtpCommand.of(SmtpVerb.RCPT, "TO:<user@example.com> NOTIFY=NEVER");
        client.writeOutbound(command);
        ByteBuf wire = client.readOutbound();
        // The line decoder strips CRLF before the command decoder sees the line.
        server.writeInbound(wire.retainedSlice(0, wire.readableBytes() - 2));
        wire.release();
        assertThat((Object) server.readInbound()).isEqualTo(command);
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(server.finishAndReleaseAll()).isFalse();
    }
}
