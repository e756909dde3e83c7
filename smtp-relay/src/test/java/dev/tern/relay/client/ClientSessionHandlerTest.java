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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reply matcher on an EmbeddedChannel: one future per reply, order, splitting, timeouts, stray replies. */
class ClientSessionHandlerTest {
    private final List<String> events = new ArrayList<>();
    private final ClientSessionHandler handler = new ClientSessionHandler();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    ClientSessionHandlerTest() {
        channel.pipeline()
                .addLast(ClientPipelineNames.REPLY_ARRIVALS, handler.arrivals())
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

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                // what the server sends, read by read (" + ")               ; what RSET, sent on the first reply, gets
                "250 2.0.0 ok~250 2.0.0 ok again~                             ; failed PROTOCOL", // a doubled line,
                // same read
                "250 2.0.0 ok~250-2.0.0 more + lines~250 2.0.0 end~           ; failed PROTOCOL", // began before RSET
                "250 2.0.0 ok~ + 250 2.0.0 reset~                             ; reply 250", // came after RSET went out
            })
    void aReplyAnswersOnlyACommandWrittenBeforeItBegan(String reads, String rsetGets) {
        // Without PIPELINING the next command goes out as the reply before it comes in.
        handler.send(SmtpCommand.of(SmtpVerb.NOOP, ""), Duration.ofMinutes(5)).thenAccept(first -> {
            record(handler.send(SmtpCommand.of(SmtpVerb.RSET, ""), Duration.ofMinutes(5)));
            handler.flush();
        });
        handler.flush();

        for (String read : reads.split(" \\+ ")) {
            channel.writeInbound(ascii(read.replace("~", "\r\n")));
        }

        assertThat(events).first().isEqualTo(rsetGets);
        assertThat(channel.isOpen()).isEqualTo(rsetGets.startsWith("reply"));
        outbound();
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @CsvSource({
        "DATA, 250 2.0.0 ok, failed PROTOCOL", // DATA goes on with 354 only (RFC 5321 4.3.2)
        "DATA, 354 go ahead, reply 354",
        "DATA, 554 5.5.1 no valid recipients, reply 554", // a refusal answers anything
        "MAIL, 354 go ahead, failed PROTOCOL", // a 354 answers DATA only
        "RCPT, 334 VXNlcm5hbWU6, failed PROTOCOL", // a challenge answers AUTH only
        "AUTH, 334 VXNlcm5hbWU6, reply 334", // RFC 4954 4
        "AUTH, 235 2.7.0 ok, reply 235",
    })
    void aPositiveReplyMustBeOfTheKindTheCommandTakes(SmtpVerb verb, String reply, String expected) {
        record(handler.send(SmtpCommand.of(verb, verb == SmtpVerb.DATA ? "" : "x"), Duration.ofMinutes(5)));
        handler.flush();

        channel.writeInbound(ascii(reply + "\r\n"));

        assertThat(events).first().isEqualTo(expected);
        outbound();
        channel.finishAndReleaseAll();
    }

    @Test
    void inStepWaitsForTheEndOfTheReadAndFailsOnASurplusReply() {
        List<String> steps = new ArrayList<>();
        CompletionStage<SmtpReply> reply = handler.send(SmtpCommand.of(SmtpVerb.NOOP, ""), Duration.ofMinutes(5));
        reply.thenAccept(r ->
                handler.inStep().whenComplete((v, failure) -> steps.add(failure == null ? "in step" : "out of step")));
        handler.flush();

        channel.writeInbound(ascii("250 2.0.0 ok\r\n250 2.0.0 surplus\r\n"));

        assertThat(steps).containsExactly("out of step");
        outbound();
        channel.finishAndReleaseAll();
    }

    @Test
    void inStepCompletesAtTheEndOfAReadWithNothingMore() {
        List<String> steps = new ArrayList<>();
        handler.send(SmtpCommand.of(SmtpVerb.NOOP, ""), Duration.ofMinutes(5))
                .thenAccept(r -> handler.inStep().thenRun(() -> steps.add("in step")));
        handler.flush();

        channel.writeInbound(ascii("250 2.0.0 ok\r\n"));

        assertThat(steps).containsExactly("in step");
        outbound();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMalformedReplyBreaksTheConnection() {
        record(handler.expect("greeting", Duration.ofSeconds(10)));

        channel.writeInbound(ascii("220 bare\rCR\r\n"));

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
