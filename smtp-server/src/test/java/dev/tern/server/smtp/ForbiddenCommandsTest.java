package dev.tern.server.smtp;

import static dev.tern.server.smtp.SmtpSessionHandlerTest.codes;
import static dev.tern.server.smtp.SmtpSessionHandlerTest.replies;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Peers that are not SMTP clients: HTTP requests and header lines in command mode. */
class ForbiddenCommandsTest {
    /** A browser-borne request: the form's body is SMTP, and must never be run. */
    static final String HTTP_POST = "POST / HTTP/1.1\r\n"
            + "Host: mx.test:25\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 97\r\n"
            + "\r\n"
            + "EHLO attacker.test\r\n"
            + "MAIL FROM:<a@attacker.test>\r\n"
            + "RCPT TO:<bob@local.test>\r\n"
            + "DATA\r\n"
            + "spam\r\n"
            + ".\r\n"
            + "QUIT\r\n";

    private final RecordingQueue queue = new RecordingQueue();
    private final RecordingMetrics metrics = new RecordingMetrics();

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # command line                               | forbidden
            GET / HTTP/1.1                               | true
            POST /form HTTP/1.1                          | true
            # methods are matched whatever their case
            post / HTTP/1.0                              | true
            HEAD / HTTP/1.1                              | true
            PUT /x HTTP/1.1                              | true
            DELETE /x HTTP/1.1                           | true
            CONNECT mx.test:25 HTTP/1.1                  | true
            OPTIONS * HTTP/1.1                           | true
            TRACE / HTTP/1.1                             | true
            PATCH /x HTTP/1.1                            | true
            # a method alone on its line
            GET                                          | true
            # header lines, with and without a value
            Host: mx.test                                | true
            User-Agent: Mozilla/5.0                      | true
            Subject: hello                               | true
            X-Anything:                                  | true
            # the word must be the method itself
            GETTER x                                     | false
            POSTMASTER                                   | false
            GET/ HTTP/1.1                                | false
            # SMTP, including its colons and sloppy spacing
            MAIL FROM:<a@b.test>                         | false
            MAIL FROM: <a@b.test>                        | false
            RCPT TO:<postmaster>                         | false
            EHLO client.test                             | false
            HELO host:name                               | false
            NOOP a: b                                    | false
            AUTH PLAIN dGVzdA==                          | false
            # a colon inside the first word is not the end of it
            a:b c                                        | false
            """)
    void recognisesRequestAndHeaderLines(String line, boolean forbidden) {
        assertThat(ForbiddenCommands.isForbidden(line)).as(line).isEqualTo(forbidden);
    }

    @Test
    void closesAtAnHttpRequestAndRunsNothingOfItsBodySplitAtEveryByte() {
        byte[] input = HTTP_POST.getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split < input.length; split++) {
            queue.stored.clear();
            metrics.refusals.clear();
            EmbeddedChannel ch = TestSessions.channel(queue, metrics);
            ClientAddressHandlerTest.feed(ch, input, 0, split);
            List<String> replies = new ArrayList<>(replies(ch));
            ClientAddressHandlerTest.feed(ch, input, split, input.length);
            replies.addAll(replies(ch));
            assertThat(replies)
                    .as("split at %d", split)
                    .containsExactly("220 mx.test ESMTP Tern", "554 5.7.0 Not an SMTP client, closing connection");
            assertThat(ch.isOpen()).isFalse();
            assertThat(queue.stored).isEmpty();
            assertThat(metrics.refusals).containsExactly(Refusal.NOT_SMTP);
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | session (\\n is CRLF)                                                          | reply codes
            a header line between commands           | EHLO c\\nMAIL FROM:<a@b.test>\\nSubject: hi\\nRCPT TO:<bob@local.test>\\nDATA       | 220 250 250 554
            an HTTP request line after EHLO          | EHLO c\\nGET / HTTP/1.1\\nNOOP                                                     | 220 250 554
            # in a message they are content, not commands
            header lines and a GET inside a message  | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\nSubject: hi\\n\\nGET /\\n. | 220 250 250 250 354 250
            """)
    void closesAtAForbiddenLineInCommandModeOnly(String what, String script, String expected) {
        EmbeddedChannel ch = TestSessions.channel(queue, metrics);
        byte[] input = ClientAddressHandlerTest.expand(script + "\\n");
        ClientAddressHandlerTest.feed(ch, input, 0, input.length);
        assertThat(codes(replies(ch))).as(what).isEqualTo(ClientAddressHandlerTest.expectedCodes(expected));
        boolean refused = expected.endsWith("554");
        assertThat(ch.isOpen()).as(what).isEqualTo(!refused);
        assertThat(metrics.refusals).as(what).isEqualTo(refused ? List.of(Refusal.NOT_SMTP) : List.of());
        assertThat(queue.stored).as(what).hasSize(refused ? 0 : 1);
        ch.finishAndReleaseAll();
    }
}
