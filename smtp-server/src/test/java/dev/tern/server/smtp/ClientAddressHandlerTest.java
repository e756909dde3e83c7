package dev.tern.server.smtp;

import static dev.tern.server.smtp.SmtpSessionHandlerTest.codes;
import static dev.tern.server.smtp.SmtpSessionHandlerTest.replies;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The head of the pipeline on an {@link EmbeddedChannel}: who the client is, and headers nobody may send. */
class ClientAddressHandlerTest {
    /** HAProxy proxy-protocol.txt 2.2: the binary header's signature. */
    static final String V2_SIGNATURE = "\r\n\r\n\0\r\nQUIT\n";

    private final RecordingQueue queue = new RecordingQueue();
    private final RecordingMetrics metrics = new RecordingMetrics();

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                      | first octets (\\n is CRLF, <V2> the v2 signature)    | reply codes
            a v1 header where none is allowed           | PROXY TCP4 192.0.2.1 192.0.2.2 1 25\\nQUIT             | 220 554
            a v1 UNKNOWN header                         | PROXY UNKNOWN\\nNOOP                                    | 220 554
            a v2 header                                 | <V2>!NOOP                                              | 220 554
            the v2 signature alone                      | <V2>                                                   | 220 554
            an SMTP client                              | EHLO client.test\\nNOOP                                 | 220 250 250
            PROXY without its space is just a command   | PROXYNOOP                                              | 220 500
            lower case is no header (the spec is exact) | proxy TCP4 192.0.2.1 192.0.2.2 1 25                    | 220 500
            an empty line, then a command               | \\nNOOP                                                 | 220 500 250
            """)
    void refusesAProxyHeaderFromAPeerNotAllowedToSendOne(String what, String script, String expected) {
        byte[] input = expand(script + "\\n");
        for (int split = 0; split < input.length; split++) {
            queue.stored.clear();
            metrics.refusals.clear();
            EmbeddedChannel ch = channel();
            feed(ch, input, 0, split);
            feed(ch, input, split, input.length);
            assertThat(codes(replies(ch))).as("%s, split at %d", what, split).isEqualTo(expectedCodes(expected));
            boolean refused = expected.endsWith("554");
            assertThat(metrics.refusals)
                    .as("%s, split at %d", what, split)
                    .isEqualTo(refused ? List.of(Refusal.PROXY_HEADER) : List.of());
            assertThat(ch.isOpen()).as("%s, split at %d", what, split).isEqualTo(!refused);
            ch.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel() {
        return TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false, metrics));
    }

    private static List<Integer> expectedCodes(String expected) {
        return Arrays.stream(expected.split(" ")).map(Integer::valueOf).collect(Collectors.toList());
    }

    /** {@code \n} in a table is CRLF, {@code <V2>} the v2 signature; other characters are one octet each. */
    static byte[] expand(String script) {
        String text = script.replace("\\n", "\r\n").replace("<V2>", V2_SIGNATURE);
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds a copy of the octets, unless there are none or the server has already closed. */
    static void feed(EmbeddedChannel ch, byte[] input, int from, int to) {
        if (from < to && ch.isOpen()) {
            ch.writeInbound(Unpooled.copiedBuffer(input, from, to - from));
            ch.runPendingTasks();
        }
    }
}
