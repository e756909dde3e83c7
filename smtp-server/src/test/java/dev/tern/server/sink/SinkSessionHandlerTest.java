package dev.tern.server.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sink's pipeline on an EmbeddedChannel: the same session fed whole, in one buffer, and split at
 * every byte gets the same replies, faults included.
 */
class SinkSessionHandlerTest {
    private static final String SESSION = "EHLO client.test\r\n"
            + "MAIL FROM:<a@client.test> SIZE=40 BODY=8BITMIME\r\n"
            + "RCPT TO:<b@sink.test> NOTIFY=NEVER\r\n"
            + "RCPT TO:<c@sink.test>\r\n"
            + "DATA\r\n"
            + "Subject: x\r\n\r\n..dot\r\n.\r\n"
            + "MAIL FROM:<>\r\n"
            + "RCPT TO:<d@sink.test>\r\n"
            + "BDAT 7\r\nhello\r\n"
            + "BDAT 0 LAST\r\n"
            + "RSET\r\n"
            + "QUIT\r\n";

    private static final String REPLIES = "220 localhost ESMTP Tern sink\r\n"
            + "250-localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 26214400\r\n250-ENHANCEDSTATUSCODES\r\n"
            + "250-CHUNKING\r\n250-SMTPUTF8\r\n250 DSN\r\n"
            + "250 2.1.0 Ok\r\n"
            + "250 2.1.5 Ok\r\n"
            + "250 2.1.5 Ok\r\n"
            + "354 End data with <CR><LF>.<CR><LF>\r\n"
            + "250 2.0.0 Ok: queued as 1\r\n"
            + "250 2.1.0 Ok\r\n"
            + "250 2.1.5 Ok\r\n"
            + "250 2.0.0 Ok: 7 octets received\r\n"
            + "250 2.0.0 Ok: queued as 2\r\n"
            + "250 2.0.0 Ok\r\n"
            + "221 2.0.0 Bye\r\n";

    @Test
    void answersASessionTheSameWholeOrSplitAtEveryByte() {
        for (boolean split : new boolean[] {false, true}) {
            Sink sink = new Sink(SinkOptions.builder().startTls(false).build());

            assertThat(converse(sink, SESSION, split)).as("split %s", split).isEqualTo(REPLIES);
            SinkCounts counts = sink.counts();
            assertThat(counts.messages()).isEqualTo(2);
            assertThat(counts.recipients()).isEqualTo(3);
            assertThat(counts.bytes()).isEqualTo("Subject: x\r\n\r\n.dot\r\n".length() + 7);
        }
    }

    @Test
    void drawsTheSameFaultsWholeOrSplitAtEveryByte() {
        StringBuilder session = new StringBuilder("EHLO client.test\r\n");
        for (int i = 0; i < 20; i++) {
            session.append("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\nhi\r\n.\r\n");
        }
        UnaryOperator<SinkOptions.Builder> faults =
                b -> b.seed(3L).startTls(false).rcptTempfail(25).rcptReject(25).dataReject(30);
        String whole = converse(new Sink(faults.apply(SinkOptions.builder()).build()), session.toString(), false);
        String split = converse(new Sink(faults.apply(SinkOptions.builder()).build()), session.toString(), true);

        assertThat(split).isEqualTo(whole);
        assertThat(whole).contains("451 4.3.0", "550 5.1.1", "554 5.6.0", "554 5.5.1 No valid recipients");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // MAIL before EHLO
                "MAIL FROM:<a@client.test>            | 503 5.5.1 Send EHLO or HELO first",
                // a bare LF ends and refuses its line
                "NOOP\\n                               | 500 5.5.2",
                // an unknown command
                "FROB                                 | 500 5.5.1 Command unrecognized",
                // AUTH is not offered
                "AUTH PLAIN                           | 502 5.5.1",
                // BDAT without a size: its chunk cannot be found, so the session ends
                "BDAT x                               | 554 5.5.4 Syntax: BDAT chunk-size [LAST]; the chunk cannot be found",
            })
    void refusesWhatIsOutOfOrderOrMalformed(String line, String reply) {
        Sink sink = new Sink(SinkOptions.builder().startTls(false).build());
        String input = line.replace("\\n", "\n") + (line.endsWith("\\n") ? "" : "\r\n");

        String replies = converse(sink, input, false);

        assertThat(replies.lines().skip(1).findFirst())
                .hasValueSatisfying(r -> assertThat(r).startsWith(reply));
    }

    /** Feeds {@code input} whole or one byte a buffer; returns everything written back. */
    private static String converse(Sink sink, String input, boolean split) {
        EmbeddedChannel channel = new EmbeddedChannel(new SinkInitializer(sink));
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        List<ByteBuf> pieces = new ArrayList<>();
        if (split) {
            for (byte b : bytes) {
                pieces.add(Unpooled.copiedBuffer(new byte[] {b}));
            }
        } else {
            pieces.add(Unpooled.copiedBuffer(bytes));
        }
        StringBuilder out = new StringBuilder();
        for (ByteBuf piece : pieces) {
            channel.writeInbound(piece);
            channel.runPendingTasks();
            for (ByteBuf written; (written = channel.readOutbound()) != null; ) {
                out.append(written.toString(StandardCharsets.UTF_8));
                written.release();
            }
        }
        channel.finishAndReleaseAll();
        return out.toString();
    }
}
