package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.SmtpCommandEncoder;
import dev.tern.smtp.codec.SmtpReplyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reply matcher on an EmbeddedChannel: one future per reply, order, splitting, timeouts, stray replies. */
class ClientSessionHandlerTest {
    private final List<String> events = new ArrayList<>();
    private final ClientSessionHandler handler = new ClientSessionHandler();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    ClientSessionHandlerTest() {
        channel.pipeline()
                .addLast(ClientPipelineNames.REPLY_DECODER, new SmtpReplyDecoder())
                .addLast(ClientPipelineNames.COMMAND_ENCODER, new SmtpCommandEncoder())
                .addLast(ClientPipelineNames.SESSION, handler);
        handler.ended().thenAccept(broken -> events.add("broken " + broken.kind()));
    }

    @Test
    void matchesPipelinedRepliesReadInOneBufferInOrder() {
        sendPipelined();

        channel.writeInbound(ascii("250 2.1.0 ok\r\n550 5.1.1 no\r\n354 go\r\n"));

        assertThat(events).containsExactly("reply 250", "reply 550", "reply 354");
        assertThat(outbound()).isEqualTo("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void matchesRepliesSplitAtEveryByte() {
        sendPipelined();
        byte[] replies =
                "250 2.1.0 ok\r\n550-5.1.1 no\r\n550 5.1.1 really\r\n354 go\r\n".getBytes(StandardCharsets.US_ASCII);

        for (byte b : replies) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }

        assertThat(events).containsExactly("reply 250", "reply 550", "reply 354");
        outbound();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aLostConnectionFailsEveryReplyStillAwaited() {
        sendPipelined();
        channel.writeInbound(ascii("250 2.1.0 ok\r\n"));

        channel.close();

        assertThat(events).containsExactly("reply 250", "failed CLOSED", "failed CLOSED", "broken CLOSED");
        outbound();
        channel.finishAndReleaseAll();
    }

    @Test
    void timesOutWhenTheReplyDoesNotCome() {
        record(handler.send(SmtpCommand.of(SmtpVerb.NOOP, ""), Duration.ofSeconds(10)));
        handler.flush();

        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(events).isEmpty();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(events).containsExactly("failed TIMEOUT", "broken TIMEOUT");
        assertThat(channel.isOpen()).isFalse();
        outbound();
        channel.finishAndReleaseAll();
    }

    @Test
    void aReplyThatAnswersNothingBreaksTheConnection() {
        channel.writeInbound(ascii("421 4.3.2 going away\r\n"));

        assertThat(events).containsExactly("broken PROTOCOL");
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void aMalformedReplyBreaksTheConnection() {
        record(handler.expect("greeting", Duration.ofSeconds(10)));

        channel.writeInbound(ascii("220 bare LF\n"));

        assertThat(events).containsExactly("failed PROTOCOL", "broken PROTOCOL");
        channel.finishAndReleaseAll();
    }

    private void sendPipelined() {
        record(handler.send(SmtpCommand.of(SmtpVerb.MAIL, "FROM:<a@b.test>"), Duration.ofMinutes(5)));
        record(handler.send(SmtpCommand.of(SmtpVerb.RCPT, "TO:<c@d.test>"), Duration.ofMinutes(5)));
        record(handler.send(SmtpCommand.of(SmtpVerb.DATA, ""), Duration.ofMinutes(2)));
        handler.flush();
    }

    private void record(CompletionStage<SmtpReply> reply) {
        reply.whenComplete((r, failure) -> events.add(
                failure == null
                        ? "reply " + r.code()
                        : "failed " + ConnectionBroken.of(failure).kind()));
    }

    private String outbound() {
        StringBuilder sb = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            sb.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return sb.toString();
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
