package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

class SmtpSessionHandlerTest {

    private static final String TRANSACTION = "EHLO client.test\r\n"
            + "MAIL FROM:<sender@remote.test>\r\n"
            + "RCPT TO:<alice@local.test>\r\n"
            + "DATA\r\n"
            + "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.\r\n"
            + "QUIT\r\n";

    private final RecordingQueue queue = new RecordingQueue();

    @Test
    void acceptsOneTransactionSplitAtEveryByte() {
        byte[] input = TRANSACTION.getBytes(StandardCharsets.US_ASCII);
        for (int split = 1; split < input.length; split++) {
            RecordingQueue q = new RecordingQueue();
            EmbeddedChannel ch =
                    TestSessions.channel(TestSessions.settings(false), TestSessions.services(q, null, false));
            feed(ch, input, 0, split);
            feed(ch, input, split, input.length);
            List<String> replies = replies(ch);
            assertThat(codes(replies)).as("split at %d", split).containsExactly(220, 250, 250, 250, 354, 250, 221);
            assertThat(replies.get(5)).startsWith("250 2.0.0 Ok: queued as Q1");
            assertThat(q.stored).hasSize(1);
            assertThat(q.stored.get(0).content())
                    .startsWith("Received: from client.test ([127.0.0.1])\r\n\tby mx.test (Tern) with ESMTP\r\n")
                    .endsWith("Subject: hi\r\n\r\n.leading dot\r\nbody\r\n");
            assertThat(ch.isOpen()).isFalse();
            ch.finishAndReleaseAll();
        }
    }

    /**
     * Found by fuzzing ({@code TraceHeadersFuzzTest}, corpus {@code helo-with-comment-and-semicolon}): a HELO
     * name with {@code (} or {@code ;} was written after {@code from}, where it opened a comment that never
     * closed and ended the field's tokens early, so a reader of the trace lost {@code by}, {@code id} and
     * {@code for}. It now goes into the comment, escaped, and {@code from} says {@code unknown}.
     */
    @Test
    void aHeloNameThatIsNoDomainTokenIsWrittenEscapedInTheComment() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        byte[] input =
                TRANSACTION.replace("EHLO client.test", "EHLO x(y);z<@\\").getBytes(StandardCharsets.US_ASCII);
        feed(ch, input, 0, input.length);
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 354, 250, 221);
        String received = queue.stored.get(0).content();
        assertThat(received).startsWith("Received: from unknown ([127.0.0.1] helo=x\\(y\\);z<@\\\\)\r\n\tby mx.test ");
        TraceHeadersFuzzTest.checkWellFormed(received.substring(0, received.indexOf("\r\nSubject:") + 2), false);
        ch.finishAndReleaseAll();
    }

    /**
     * With {@code limits.forbid-unauth-pipelining} (the default; these tests' settings turn it off to write
     * whole scripts at once): each {@code ~} separates what the client sends before it reads the replies.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | sends, ~ between waits (\\n is CRLF)                                  | reply codes after the greeting | stored
            MAIL behind EHLO                         | EHLO c\\nMAIL FROM:<a@b.test>\\n                                   | 554                            | 0
            MAIL and RCPT after HELO                 | HELO c\\n ~ MAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\n     | 250 554                        | 0
            the content behind DATA                  | EHLO c\\n ~ MAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\nSubject: x\\n\\nbody\\n.\\n | 250 250 250 554 | 0
            two NOOPs at once                        | EHLO c\\n ~ NOOP\\nNOOP\\n                                      | 250 554                        | 0
            MAIL, RCPT and DATA after EHLO           | EHLO c\\n ~ MAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\n ~ Subject: x\\n\\nbody\\n.\\nQUIT\\n | 250 250 250 354 250 221 | 1
            one command at a time after HELO         | HELO c\\n ~ MAIL FROM:<a@b.test>\\n ~ RCPT TO:<bob@local.test>\\n ~ DATA\\n ~ Subject: x\\n\\n.\\n | 250 250 250 354 250 | 1
            a chunk and the next commands            | EHLO c\\n ~ MAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nBDAT 5 LAST\\nabc\\nRSET\\nQUIT\\n | 250 250 250 250 250 221 | 1
            AUTH with more behind it, before EHLO    | AUTH PLAIN\\nNOOP\\n                                            | 554                            | 0
            AUTH with MAIL behind it after HELO      | HELO c\\n ~ AUTH LOGIN\\nMAIL FROM:<a@b.test>\\n                 | 250 554                        | 0
            """)
    void endsASessionThatSendsAheadWhereItMayNot(String what, String sends, String codes, int stored) {
        EmbeddedChannel ch = TestSessions.channel(
                TestSessions.settings(false, Map.of("TERN_LIMITS_FORBID_UNAUTH_PIPELINING", "true")),
                TestSessions.services(queue, null, false));
        for (String group : sends.split(" ~ ")) {
            write(ch, group.strip().replace("\\n", "\r\n"));
        }
        List<String> replies = replies(ch);
        assertThat(codes(replies.subList(1, replies.size())))
                .as(what)
                .containsExactlyElementsOf(java.util.Arrays.stream(codes.split(" "))
                        .map(Integer::valueOf)
                        .toList());
        if (codes.endsWith("554")) {
            assertThat(replies).last().asString().isEqualTo("554 5.5.0 Error: SMTP protocol synchronization");
            assertThat(ch.isOpen()).as(what).isFalse();
        }
        assertThat(queue.stored).as(what).hasSize(stored);
        ch.finishAndReleaseAll();
    }

    @Test
    void aRecipientGivenTwiceIsKeptOnce() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(
                ch,
                TRANSACTION.replace(
                        "RCPT TO:<alice@local.test>\r\n",
                        "RCPT TO:<alice@local.test>\r\nRCPT TO:<alice@LOCAL.test>\r\nRCPT TO:<info@local.test>\r\n"));
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 250, 250, 354, 250, 221);
        // Postfix's cleanup keeps one of each too; an alias that leads to a recipient already there is that one.
        assertThat(queue.stored.get(0).envelope().recipients())
                .extracting(r -> r.mailbox().address())
                .containsExactly("alice@local.test");
        ch.finishAndReleaseAll();
    }

    @Test
    void receivedNamesTheRecipientTheClientGaveNotTheAliasTarget() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, TRANSACTION.replace("RCPT TO:<alice@local.test>", "RCPT TO:<info@local.test>"));
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 354, 250, 221);
        // The envelope goes to the alias's target; the trace, as Postfix writes it, keeps what the client sent.
        assertThat(queue.stored.get(0).envelope().recipients())
                .singleElement()
                .satisfies(r -> assertThat(r.mailbox().address()).isEqualTo("alice@local.test"));
        assertThat(queue.stored.get(0).content()).contains("\r\n\tfor <info@local.test>; ");
        ch.finishAndReleaseAll();
    }

    /** RFC 5322 3.2.3: a dot-atom has no dot first, last or twice in a row; such a HELO name goes in the comment. */
    @ParameterizedTest
    @CsvSource({
        "., from unknown ([127.0.0.1] helo=.)",
        "a..b, from unknown ([127.0.0.1] helo=a..b)",
        ".a, from unknown ([127.0.0.1] helo=.a)",
        "a., from unknown ([127.0.0.1] helo=a.)",
        "a.b, from a.b ([127.0.0.1])",
        "mail_1.example, from mail_1.example ([127.0.0.1])",
    })
    void aHeloNameWithDotsOutOfPlaceIsNoDomainToken(String helo, String from) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, TRANSACTION.replace("EHLO client.test", "EHLO " + helo));
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 354, 250, 221);
        String received = queue.stored.get(0).content();
        assertThat(received).startsWith("Received: " + from + "\r\n\tby mx.test ");
        TraceHeadersFuzzTest.checkWellFormed(received.substring(0, received.indexOf("\r\nSubject:") + 2), false);
        ch.finishAndReleaseAll();
    }

    @Test
    void acceptsOneTransactionByteByByte() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        byte[] input = TRANSACTION.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < input.length; i++) {
            feed(ch, input, i, i + 1);
        }
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 354, 250, 221);
        assertThat(queue.stored).hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void holdsPipelinedCommandsUntilTheMessageIsOnDisk() {
        queue.hold = true;
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\nRSET\r\n");
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 354);
        queue.releaseHeld();
        ch.runPendingTasks();
        List<String> after = replies(ch);
        assertThat(after.get(0)).startsWith("250 2.0.0 Ok: queued as");
        assertThat(codes(after)).containsExactly(250, 250, 250);
        ch.finishAndReleaseAll();
    }

    /**
     * The spool may hold a flush back for the messages of open transactions (spool.commit-delay), so it is
     * told of each transaction once it starts and once it is over: with its message, in one call (so that
     * the flush never waits for the message it holds), or on its own when it ends without one.
     */
    @Test
    void tellsTheQueueWhenEachTransactionStartsAndEnds() {
        queue.hold = true;
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nx\r\n.\r\n");
        // Handed over, though not yet on disk: the spool waits for it no more.
        assertThat(queue.transactions).containsExactly("started", "handOver");
        queue.releaseHeld();
        ch.runPendingTasks();
        write(ch, "MAIL FROM:<a@b.test>\r\nRSET\r\n");
        write(ch, "MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nEHLO c\r\n");
        write(ch, "MAIL FROM:<a@b.test>\r\nMAIL FROM:<c@b.test>\r\nRCPT TO:<bob@local.test>\r\n");
        assertThat(queue.transactions.subList(2, queue.transactions.size()))
                .containsExactly("started", "ended", "started", "ended", "started");
        ch.close(); // the connection gone mid-transaction
        assertThat(queue.transactions).endsWith("started", "ended").hasSize(8);
        ch.finishAndReleaseAll();
    }

    @Test
    void answersLocalErrorWhenTheQueueFails() {
        queue.fail = true;
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nx\r\n.\r\n");
        assertThat(replies(ch)).last().asString().startsWith("451 4.3.0");
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "trusted={0}")
    @CsvSource({
        // loopback in a trusted network: one of our users, signed
        "true, 1",
        // a stranger sending to a local domain: not ours to sign
        "false, 0"
    })
    void signsOnlyOurUsersMailAndPutsTheSignatureOnTop(boolean trusted, int signed) {
        AtomicInteger calls = new AtomicInteger();
        Signer signer = message -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture("X-Signature: yes\r\n");
        };
        EmbeddedChannel ch = TestSessions.channel(
                TestSessions.settings(false),
                TestSessions.withSigner(TestSessions.services(queue, null, trusted), signer));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nSubject: s\r\n\r\nx\r\n.\r\n");
        ch.runPendingTasks();
        assertThat(replies(ch)).last().asString().startsWith("250 2.0.0 Ok: queued as");
        assertThat(calls.get()).isEqualTo(signed);
        String stored = queue.stored.get(0).content();
        if (signed == 1) {
            assertThat(stored).startsWith("X-Signature: yes\r\nReceived: ");
        } else {
            assertThat(stored).startsWith("Received: ").doesNotContain("X-Signature");
        }
        ch.finishAndReleaseAll();
    }

    /**
     * A transaction whose connection goes while its message is being signed ends then; the message handed
     * over afterwards must not end it a second time, or the spool's count of open transactions would fall
     * below the sessions still sending and its group commits stop waiting for them.
     */
    @Test
    void aTransactionEndedWhileItsMessageIsSignedIsNotEndedAgain() {
        CompletableFuture<String> signature = new CompletableFuture<>();
        EmbeddedChannel ch = TestSessions.channel(
                TestSessions.settings(false),
                TestSessions.withSigner(TestSessions.services(queue, null, true), message -> signature));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nSubject: s\r\n\r\nx\r\n.\r\n");
        ch.close(); // the client gone while the signer works
        signature.complete("X-Signature: yes\r\n");
        ch.runPendingTasks();

        assertThat(queue.transactions.stream().filter("started"::equals)).hasSize(1);
        assertThat(queue.transactions.stream().filter(t -> t.equals("ended") || t.equals("handOver")))
                .as("ends of that one transaction, in %s", queue.transactions)
                .hasSize(1);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # header section                                  | TLS-Required: No recorded
            'TLS-Required: No\r\nSubject: s\r\n'          | true
            'tls-required:   no  \r\n'                      | true
            'Subject: s\r\n'                                 | false
            'TLS-Required: Yes\r\n'                         | false
            'X-TLS-Required: No\r\n'                        | false
            'Subject: s\r\n\r\nTLS-Required: No\r\n'    | false
            """)
    void recordsTlsRequiredNoFromTheHeaderSection(String header, boolean recorded) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\n" + header + "\r\nx\r\n.\r\n");
        ch.runPendingTasks();
        assertThat(replies(ch)).last().asString().startsWith("250 2.0.0");
        assertThat(queue.stored.get(0).envelope().tlsOptional()).isEqualTo(recorded);
        assertThat(queue.stored.get(0).envelope().parameters().requireTls()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void offersRequireTlsOnlyInsideTls() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\n");
        assertThat(replies(ch)).last().asString().contains("SMTPUTF8").doesNotContain("REQUIRETLS");
        ch.finishAndReleaseAll();
    }

    @Test
    void answersLocalErrorWhenSigningFails() {
        Signer failing = message -> CompletableFuture.failedFuture(new RejectedExecutionException("queue full"));
        EmbeddedChannel ch = TestSessions.channel(
                TestSessions.settings(false),
                TestSessions.withSigner(TestSessions.services(queue, null, true), failing));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n");
        ch.runPendingTasks();
        List<String> replies = replies(ch);
        assertThat(replies.get(replies.size() - 2)).startsWith("451 4.3.0");
        assertThat(replies).last().asString().startsWith("250");
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void acceptsChunkedMessagesWithPipelinedBdat() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(
                ch,
                "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\n"
                        + "BDAT 7\r\nSubj\r\n.BDAT 7 LAST\r\nect\r\n\r\n");
        List<String> replies = replies(ch);
        assertThat(codes(replies)).containsExactly(220, 250, 250, 250, 250, 250);
        assertThat(replies.get(4)).isEqualTo("250 2.0.0 Ok: 7 octets received");
        assertThat(replies.get(5)).startsWith("250 2.0.0 Ok: queued as");
        assertThat(queue.stored.get(0).content()).endsWith("\r\nSubj\r\n.ect\r\n\r\n");
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | first chunk   | last chunk        | reply to the last chunk
            CRLF split between two chunks            | 'Subj: a\\r'  | '\\nbody\\r\\n'     | 250 2.0.0
            a bare LF in the first chunk             | 'Subj: a\\n'  | 'body\\r\\n'        | 550 5.6.0
            a smuggled end of data                   | 'a\\r\\n'     | 'x\\n.\\r\\nRSET\\r\\n' | 550 5.6.0
            a bare CR inside a line                  | 'Subj: a\\r\\n' | 'bo\\rdy\\r\\n'    | 550 5.6.0
            a bare CR at the very end                | 'Subj: a\\r\\n' | 'body\\r'          | 550 5.6.0
            """)
    void refusesAChunkedMessageWithABareCrOrLf(String what, String first, String last, String expected) {
        sendsTwoChunks(
                what,
                first.replace("\\r", "\r").replace("\\n", "\n"),
                last.replace("\\r", "\r").replace("\\n", "\n"),
                expected);
    }

    /**
     * A chunked message whose last line has no CRLF is kept with one (RFC 3030 lets it end anywhere), but the
     * size the limit counts is what the client sent: 10,000 octets pass a limit of 10,000, one more does not.
     */
    @ParameterizedTest(name = "{0} octets")
    @CsvSource({"10000, 250 2.0.0", "10001, 552 5.3.4"})
    void endsTheLastLineOfAChunkedMessageAndCountsTheSizeTheClientSent(int size, String expected) {
        String header = "Subject: s\r\n\r\n";
        String lines = ("x".repeat(98) + "\r\n").repeat(99);
        String lastLine = "y".repeat(size - header.length() - lines.length());

        sendsTwoChunks(size + " octets", header + lines, lastLine, expected);

        if (expected.startsWith("250")) {
            assertThat(queue.stored.get(0).content()).endsWith("\r\n" + header + lines + lastLine + "\r\n");
        }
    }

    /** Two BDAT chunks, the second LAST, then NOOP: the last chunk's reply, and the message kept or not. */
    private void sendsTwoChunks(String what, String first, String last, String expected) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(
                ch,
                "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nBDAT " + first.length() + "\r\n" + first
                        + "BDAT " + last.length() + " LAST\r\n" + last + "NOOP\r\n");
        List<String> replies = replies(ch);
        assertThat(replies.get(replies.size() - 2)).as(what).startsWith(expected);
        assertThat(replies).last().asString().startsWith("250");
        assertThat(queue.stored).hasSize(expected.startsWith("250") ? 1 : 0);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what (the mx listener takes 1000 octets, CRLF included) | x before the cut | x after it | end     | reply
            a line of 1000 octets in one chunk                        | 998              | 0          | '\\r\\n' | 250 2.0.0
            a line of 1001 octets in one chunk                        | 999              | 0          | '\\r\\n' | 550 5.6.0 Message has a line longer than 1000 octets
            a line of 1001 octets across two chunks                   | 500              | 499        | '\\r\\n' | 550 5.6.0
            a last line of 998 octets without its CRLF, 1000 with it  | 500              | 498        | ''       | 250 2.0.0
            a last line of 999 octets without its CRLF, 1001 with it  | 500              | 499        | ''       | 550 5.6.0
            """)
    void refusesAChunkedMessageWithALineLongerThanTheListenerTakes(
            String what, int before, int after, String end, String expected) {
        sendsTwoChunks(
                what,
                "Subject: a\r\n\r\n" + "x".repeat(before),
                "x".repeat(after) + end.replace("\\r", "\r").replace("\\n", "\n"),
                expected);
    }

    /**
     * A BDAT line whose size cannot be read leaves the chunk's end unknown: the session ends there, so that the
     * chunk's octets (here a whole second transaction) are never read as commands, as a front end that parses
     * BDAT otherwise would have passed them on as data. A size with leading zeros, or words apart by a tab, is
     * a size (RFC 3030 2, as Postfix reads it): its chunk is data.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # BDAT argument                 | reply to the chunk
            +116 LAST                       | 554 5.5.4
            116 LAST x                      | 554 5.5.4
            0000000000000000116 LAST        | 250 2.0.0
            116	LAST                       | 250 2.0.0
            """)
    void neverReadsAChunkWhoseSizeItCannotReadAsCommands(String argument, String reply) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        String smuggled =
                "RSET\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<alice@local.test>\r\nBDAT 21 LAST\r\nSubject: s\r\n\r\nbody\r\n";
        String chunk = smuggled + "x".repeat(116 - smuggled.length() - 2) + "\r\n";
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nBDAT " + argument + "\r\n" + chunk);
        List<String> replies = replies(ch);

        assertThat(replies).hasSize(5);
        assertThat(replies.get(4)).startsWith(reply);
        assertThat(ch.isActive()).isEqualTo(reply.startsWith("250"));
        assertThat(queue.stored)
                .as("only the message whose chunk was read as data")
                .hasSize(reply.startsWith("250") ? 1 : 0);
        ch.finishAndReleaseAll();
    }

    /** RFC 3030 2: after HELO, where CHUNKING was not offered, BDAT is refused once its chunk is read. */
    @Test
    void refusesBdatAfterHeloOnceItsChunkIsRead() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "HELO c\r\nMAIL FROM:<a@b.test>\r\n");
        write(ch, "RCPT TO:<bob@local.test>\r\n");
        String chunk = "Subject: x\r\n\r\nNOOP\r\nbody\r\n";
        write(ch, "BDAT " + chunk.length() + " LAST\r\n" + chunk);
        write(ch, "NOOP\r\n");
        List<String> replies = replies(ch);

        assertThat(replies).hasSize(6);
        assertThat(replies.get(4)).startsWith("503 5.5.1 BDAT needs EHLO");
        assertThat(replies.get(5))
                .as("the chunk's NOOP was data, this one a command")
                .startsWith("250");
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    /**
     * Plaintext where TLS is expected (the implicit-TLS port, or after the 220 to STARTTLS) is the client's
     * input, not a fault of ours: the connection closes with no "internal error" reply and no warning.
     */
    @Test
    void closesOnInputThatIsNoTlsWithoutCallingItAnInternalError() {
        Logger logger = (Logger) LoggerFactory.getLogger(SmtpSessionHandler.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            EmbeddedChannel ch =
                    TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
            replies(ch);
            ch.pipeline()
                    .fireExceptionCaught(
                            new DecoderException(new NotSslRecordException("not an SSL/TLS record: 45484c4f")));
            ch.runPendingTasks();

            assertThat(replies(ch)).as("no 421 internal error").isEmpty();
            assertThat(ch.isOpen()).isFalse();
            assertThat(logged.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
            ch.finishAndReleaseAll();
        } finally {
            logger.detachAppender(logged);
        }
    }

    /**
     * At shutdown a session inside a transaction finishes it and then ends (RFC 5321 3.8): also when its
     * message is refused at the end, rather than going on to a whole new transaction.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # how the message ends        | its content (\\n is CRLF, ~ a bare LF) | reply to it
            refused (a bare LF)           | Subject: x\\n\\nbare~lf\\n.\\n         | 550 5.6.0
            taken                         | Subject: x\\n\\nbody\\n.\\n            | 250 2.0.0
            """)
    void endsAtShutdownOnceItsTransactionIsOverHoweverItEnded(String how, String content, String reply) {
        SessionServices services = TestSessions.services(queue, null, false);
        EmbeddedChannel ch = TestSessions.channel(TestSessions.settings(false), services);
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\n");
        services.registry().drain();
        ch.runPendingTasks();
        write(ch, content.replace("\\n", "\r\n").replace("~", "\n") + "MAIL FROM:<c@b.test>\r\n");
        ch.runPendingTasks();
        List<String> replies = replies(ch);

        assertThat(replies.get(replies.size() - 2)).as(how).startsWith(reply);
        assertThat(replies).as(how).last().asString().startsWith("421 4.3.0");
        assertThat(ch.isOpen()).as(how).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void readsARefusedChunkBeforeAnswering() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\nBDAT 10 LAST\r\nRCPT TO:<xNOOP\r\n");
        List<String> replies = replies(ch);
        assertThat(replies.get(2)).startsWith("503 5.5.1");
        assertThat(replies.get(3)).startsWith("250 2.0.0");
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                               | input (\\n means CRLF)                                                    | last reply
            MAIL before EHLO                     | MAIL FROM:<a@b.test>                                                        | 503 5.5.1
            RCPT before MAIL                     | EHLO c\\nRCPT TO:<alice@local.test>                                          | 503 5.5.1
            DATA without recipient               | EHLO c\\nMAIL FROM:<a@b.test>\\nDATA                                         | 554 5.5.1
            nested MAIL                          | EHLO c\\nMAIL FROM:<a@b.test>\\nMAIL FROM:<a@b.test>                         | 503 5.5.1
            unknown local user                   | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<carol@local.test>                  | 550 5.1.1
            alias of a local user                | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<INFO@Local.Test>                   | 250 2.1.5
            postmaster always exists             | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<postmaster@local.test>             | 250 2.1.5
            bare postmaster (RFC 5321 4.5.1)     | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<Postmaster>                        | 250 2.1.5
            postmaster at our own name           | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<postmaster@MX.test>                | 250 2.1.5
            extension of a local user            | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<bob+news@local.test>              | 250 2.1.5
            extension of nobody                  | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<carol+news@local.test>            | 550 5.1.1
            relay refused                        | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<x@elsewhere.test>                  | 554 5.7.1
            relay trick with percent             | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<x%elsewhere.test@local.test>      | 550 5.1.1
            relay trick with quoted at           | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<"x@elsewhere.test"@local.test>    | 550 5.1.1
            relay trick with source route        | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<@local.test:x@elsewhere.test>     | 554 5.7.1
            too many recipients                  | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<alice@local.test>\\nRCPT TO:<bob@local.test>\\nRCPT TO:<postmaster@local.test>\\nRCPT TO:<info@local.test> | 452 4.5.3
            declared size too big                | EHLO c\\nMAIL FROM:<a@b.test> SIZE=10001                                   | 552 5.3.4
            unknown MAIL parameter               | EHLO c\\nMAIL FROM:<a@b.test> FOO=BAR                                     | 555 5.5.4
            REQUIRETLS without TLS (RFC 8689 4)  | EHLO c\\nMAIL FROM:<a@b.test> REQUIRETLS                                  | 530 5.7.10
            REQUIRETLS given twice               | EHLO c\\nMAIL FROM:<a@b.test> REQUIRETLS REQUIRETLS                       | 501 5.5.4
            VRFY leaks nothing                   | EHLO c\\nVRFY alice                                                          | 252 2.5.0
            unknown command                      | EHLO c\\nFOO                                                                 | 500 5.5.1
            AUTH needs TLS                       | EHLO c\\nAUTH PLAIN                                                          | 538 5.7.11
            AUTH before EHLO                     | AUTH PLAIN                                                                   | 503 5.5.1 Send EHLO or HELO first
            AUTH after HELO                      | HELO c\\nAUTH PLAIN                                                         | 503 5.5.1 Send EHLO first
            STARTTLS without TLS material        | EHLO c\\nSTARTTLS                                                            | 454 4.7.0
            DATA with bare LF                    | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\nx<LF>y\\n. | 550 5.6.0
            DATA line over 1000 octets           | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\n#1001\\n. | 550 5.6.0
            message over the size limit          | EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\n#big\\n.  | 552 5.3.4
            command line over 512 octets         | EHLO c\\n#513                                                                | 500 5.5.2
            RSET ends the transaction            | EHLO c\\nMAIL FROM:<a@b.test>\\nRSET\\nRCPT TO:<bob@local.test>             | 503 5.5.1
            RSET takes no argument (4.1.1.5)     | EHLO c\\nMAIL FROM:<a@b.test>\\nRSET x                                 | 501 5.5.4
            ... and resets nothing then          | EHLO c\\nMAIL FROM:<a@b.test>\\nRSET x\\nRCPT TO:<bob@local.test>           | 250 2.1.5
            EHLO without domain                  | EHLO                                                                         | 501 5.5.4
            """)
    void answers(String what, String script, String expected) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, expand(script) + "\r\n");
        assertThat(replies(ch)).as(what).last().asString().startsWith(expected);
        ch.finishAndReleaseAll();
    }

    /** Every reply must come while the channel stays open and nothing more is sent: none waits for a CRLF. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                               | octets sent, nothing after them (\\n is CRLF)  | reply codes after the greeting
            bare LF ends a command               | EHLO c\\nNOOP<LF>                               | 250 500
            bare CR inside a command             | EHLO c\\nNOOP<CR>X                              | 250 500
            LF-only client, one reply a line     | EHLO c<LF>NOOP<LF>RSET<LF>                       | 500 500 500
            rest of a bare-CR line is skipped    | EHLO c\\nNO<CR>OP RSET\\nNOOP\\n             | 250 500 250
            a bare LF after a pipelined command  | EHLO c\\nNOOP\\nRSET<LF>NOOP\\n              | 250 250 500 250
            """)
    void answersBareLineEndingsInCommandsAtOnce(String what, String octets, String codes) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, expand(octets));
        List<String> replies = replies(ch);
        assertThat(codes(replies.subList(1, replies.size())))
                .as(what)
                .containsExactly(
                        Stream.of(codes.split(" ")).map(Integer::valueOf).toArray(Integer[]::new));
        assertThat(replies).as(what).filteredOn(r -> r.startsWith("500")).allMatch(r -> r.startsWith("500 5.5.2"));
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void countsBareLineEndingsTowardsTheErrorLimit() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "NOOP\n".repeat(5));
        assertThat(codes(replies(ch))).containsExactly(220, 500, 500, 500, 500, 500, 421);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # reason the metrics record | body (<LF> a bare LF, #N a line of N octets, #big 20 kB, #fieldsN N fields)
            BARE_LINE_ENDING            | x<LF>y
            LINE_LENGTH                 | #1001
            SIZE                        | #big
            HEADER                      | #fields61
            """)
    void countsARefusedMessageByReason(SessionMetrics.MessageRejection reason, String body) {
        List<SessionMetrics.MessageRejection> recorded = new ArrayList<>();
        SessionMetrics metrics = new SessionMetrics() {
            @Override
            public void messageRejected(MessageRejection why) {
                recorded.add(why);
            }
        };
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false, metrics));
        write(
                ch,
                "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\n" + expand(body) + "\r\n.\r\n");
        assertThat(recorded).containsExactly(reason);
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    /** TestSessions allow 3,000 octets and 60 fields of header section. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                 | message (\\n is CRLF)                       | reply to the end of data
            60 fields: the limit                   | #fields60\\n\\nbody                        | 250 2.0.0
            61 fields                              | #fields61\\n\\nbody                        | 552 5.3.4
            61 fields, no empty line               | #fields61                                     | 552 5.3.4
            folded lines count once                | #fields30\\n folded\\n folded\\n#fields30\\n\\nbody | 250 2.0.0
            3,000 octets: the limit                | #h1000\\n#h1000\\n#h1000\\n\\nbody        | 250 2.0.0
            3,004 octets                           | #h1000\\n#h1000\\n#h1000\\nX:\\n\\nbody | 552 5.3.4
            a line not a field begins the body     | #h1000\\n#h1000\\n#h1000\\nX\\n\\nbody  | 250 2.0.0
            fields in the body do not count        | A: b\\n\\n#fields100                       | 250 2.0.0
            """)
    void refusesAnOversizedHeaderSectionAfterReadingItAll(String what, String message, String expected) {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(
                ch,
                "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\n" + expand(message)
                        + "\r\n.\r\nMAIL FROM:<a@b.test>\r\n");
        List<String> replies = replies(ch);
        assertThat(replies.get(replies.size() - 2)).as(what).startsWith(expected);
        assertThat(replies)
                .as("%s: the session stays in step", what)
                .last()
                .asString()
                .startsWith("250 2.1.0");
        assertThat(queue.stored).as(what).hasSize(expected.startsWith("250") ? 1 : 0);
        ch.finishAndReleaseAll();
    }

    @Test
    void refusesAnOversizedHeaderSectionSentWithBdat() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        String header = "X-Field: value\r\n".repeat(61);
        write(
                ch,
                "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nBDAT " + header.length() + "\r\n"
                        + header + "BDAT 6 LAST\r\n\r\nbody" + "MAIL FROM:<a@b.test>\r\n");
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 250, 552, 250);
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void submissionRequiresAuthenticationBeforeMail() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(true), TestSessions.services(queue, null, true));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\n");
        assertThat(replies(ch)).last().asString().startsWith("530 5.7.0");
        ch.finishAndReleaseAll();
    }

    @Test
    void trustedNetworksMayRelay() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, true));
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@elsewhere.test>\r\n");
        assertThat(replies(ch)).last().asString().startsWith("250 2.1.5");
        ch.finishAndReleaseAll();
    }

    @Test
    void closesAfterTooManyErrors() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "FOO\r\nFOO\r\nFOO\r\nFOO\r\nFOO\r\nFOO\r\nFOO\r\n");
        List<String> replies = replies(ch);
        assertThat(replies.get(replies.size() - 1)).startsWith("421 4.7.0");
        assertThat(codes(replies)).containsExactly(220, 500, 500, 500, 500, 500, 421);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void junkCommandsPastTheirLimitCountAsErrorsUntilAMessageIsAccepted() {
        EmbeddedChannel ch = threeJunkCommandsAllowed(false);
        write(ch, "EHLO c\r\nNOOP\r\nRSET\r\nHELP\r\n");
        write(ch, "MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\n");
        // The accepted message starts the count again: three more are free, the next five are errors.
        write(ch, "NOOP\r\nNOOP\r\nNOOP\r\nVRFY bob\r\nEXPN list\r\nRSET\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
        List<String> replies = replies(ch);
        assertThat(codes(replies))
                .containsExactly(
                        220, 250, 250, 250, 214, 250, 250, 354, 250, 250, 250, 250, 252, 502, 250, 250, 250, 421);
        assertThat(replies.get(replies.size() - 1)).startsWith("421 4.7.0");
        assertThat(queue.stored).hasSize(1);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aTrustedClientMayKeepItsSessionOpenWithJunkCommands() {
        EmbeddedChannel ch = threeJunkCommandsAllowed(true);
        write(ch, "EHLO c\r\n" + "NOOP\r\n".repeat(20));
        assertThat(codes(replies(ch))).hasSize(22).doesNotContain(421);
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    /** A second EHLO or HELO brings no mail nearer: a session kept open with greetings alone is closed. */
    @Test
    void repeatedGreetingsAreJunkCommands() {
        EmbeddedChannel ch = threeJunkCommandsAllowed(false);
        write(ch, "EHLO c\r\n" + "HELO c\r\nEHLO c\r\n".repeat(5));
        // The first greeting is free, three more are, and the fifth error after them closes the session.
        assertThat(codes(replies(ch))).containsExactly(220, 250, 250, 250, 250, 250, 250, 250, 250, 250, 421);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    /** An empty BDAT chunk that is not the last brings the message no nearer: it is a junk command. */
    @Test
    void emptyChunksAreJunkCommands() {
        EmbeddedChannel ch = threeJunkCommandsAllowed(false);
        write(ch, "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nBDAT 2\r\nx\n");
        write(ch, "BDAT 0\r\n".repeat(8));
        List<String> replies = replies(ch);
        // Four replies to set up, then three empty chunks are free and the fifth error after them closes.
        assertThat(codes(replies))
                .containsExactly(220, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 421);
        assertThat(replies.get(4)).isEqualTo("250 2.0.0 Ok: 2 octets received");
        assertThat(queue.stored).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    /**
     * Recipients past {@code limits.max-recipients} are asked for later, not errors, up to
     * {@code limits.max-recipient-overshoot} in a transaction; past it each one is an error.
     */
    @Test
    void recipientsPastTheOvershootAllowanceAreErrors() {
        EmbeddedChannel ch = TestSessions.channel(
                TestSessions.settings(false, Map.of("TERN_LIMITS_MAX_RECIPIENT_OVERSHOOT", "2")),
                TestSessions.services(queue, null, false));
        // Distinct recipients (bob's extensions): one given twice is kept once and fills nothing.
        String fill = "MAIL FROM:<a@b.test>\r\n" + recipients(1, 3);
        write(ch, "EHLO c\r\n" + fill + recipients(4, 5) + "RSET\r\n");
        // A new transaction has its own allowance.
        write(ch, fill + recipients(4, 10));
        List<String> replies = replies(ch);
        assertThat(codes(replies))
                .containsExactly(
                        220, 250, 250, 250, 250, 250, 452, 452, 250, 250, 250, 250, 250, 452, 452, 452, 452, 452, 452,
                        452, 421);
        assertThat(replies.get(replies.size() - 2)).startsWith("452 4.5.3");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    /** RCPT commands for bob+FIRST@local.test to bob+LAST@local.test. */
    private static String recipients(int first, int last) {
        StringBuilder sb = new StringBuilder();
        for (int i = first; i <= last; i++) {
            sb.append("RCPT TO:<bob+").append(i).append("@local.test>\r\n");
        }
        return sb.toString();
    }

    private EmbeddedChannel threeJunkCommandsAllowed(boolean trusted) {
        return TestSessions.channel(
                TestSessions.settings(false, Map.of("TERN_LIMITS_MAX_JUNK_COMMANDS", "3")),
                TestSessions.services(queue, null, trusted));
    }

    /**
     * Addresses without their angle brackets meet the same recipient policy: a foreign domain is no relay, a
     * {@code %} stays in the local part, and the message carries the addresses as written.
     */
    @Test
    void mailboxesWithoutBracketsAreRoutedAsWithThem() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(
                ch,
                "EHLO c\r\nMAIL  FROM: a@b.test\r\nRCPT TO:x@elsewhere.test\r\nRCPT TO:bob%elsewhere.test@local.test\r\n"
                        + "RCPT TO:  bob@local.test\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\n");
        List<String> replies = replies(ch);
        assertThat(codes(replies)).containsExactly(220, 250, 250, 554, 550, 250, 354, 250);
        assertThat(replies.get(3)).startsWith("554 5.7.1");
        assertThat(queue.stored).singleElement().satisfies(m -> {
            assertThat(m.envelope().reversePath().toString()).contains("a@b.test");
            assertThat(m.envelope().recipients())
                    .extracting(r -> r.mailbox().address())
                    .containsExactly("bob@local.test");
        });
        ch.finishAndReleaseAll();
    }

    @Test
    void refusesALoopingMessage() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        String received = "Received: from a by b; Sun, 22 Nov 2026 10:00:00 +0000\r\n".repeat(50);
        write(
                ch,
                "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@local.test>\r\nDATA\r\n" + received + "\r\nx\r\n.\r\n");
        assertThat(replies(ch)).last().asString().startsWith("554 5.4.6");
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void advertisesTheExtensions() {
        EmbeddedChannel ch =
                TestSessions.channel(TestSessions.settings(false), TestSessions.services(queue, null, false));
        write(ch, "EHLO c\r\n");
        String ehlo = String.join("\n", replies(ch));
        assertThat(ehlo)
                .contains("250-PIPELINING", "250-SIZE 10000", "250-8BITMIME", "250-ENHANCEDSTATUSCODES")
                .contains("250-SMTPUTF8", "250-CHUNKING", "250-DSN")
                .doesNotContain("AUTH", "STARTTLS");
        ch.finishAndReleaseAll();
    }

    /** {@code \n} in a table stands for CRLF; <LF> is a bare LF, <CR> a bare CR; #N is N octets of 'x'; #big is 20 kB;
     * #fieldsN is N header fields.
     */
    private static String expand(String script) {
        StringBuilder out = new StringBuilder();
        for (String part : script.split("\\\\n", -1)) {
            if (!out.isEmpty()) {
                out.append("\r\n");
            }
            if (part.startsWith("#fields")) {
                out.append("X-Field: value\r\n".repeat(Integer.parseInt(part.substring(7))));
                out.setLength(out.length() - 2);
            } else if (part.startsWith("#h")) {
                // A header field's line of N octets, its CRLF included.
                out.append("H: ").append("x".repeat(Integer.parseInt(part.substring(2)) - 5));
            } else if (part.equals("#big")) {
                out.append(("x".repeat(98) + "\r\n").repeat(200));
                out.setLength(out.length() - 2);
            } else if (part.startsWith("#")) {
                out.append("x".repeat(Integer.parseInt(part.substring(1)) - 2));
            } else {
                out.append(part.replace("<LF>", "\n").replace("<CR>", "\r"));
            }
        }
        return out.toString();
    }

    static void write(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        ch.runPendingTasks();
    }

    private static void feed(EmbeddedChannel ch, byte[] input, int from, int to) {
        // A copy: the decoder may compact its cumulation in place, which would rewrite a wrapped array.
        ch.writeInbound(Unpooled.copiedBuffer(input, from, to - from));
        ch.runPendingTasks();
    }

    /** Every reply written so far, one string per reply line, CRLF removed. */
    static List<String> replies(EmbeddedChannel ch) {
        StringBuilder all = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            all.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        // A reply ends with a line whose fourth character is not '-' (RFC 5321 4.2.1).
        List<String> replies = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : all.toString().split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            current.append(current.isEmpty() ? "" : "\n").append(line);
            if (line.length() == 3 || line.charAt(3) != '-') {
                replies.add(current.toString());
                current.setLength(0);
            }
        }
        return replies;
    }

    static List<Integer> codes(List<String> replies) {
        return replies.stream().map(r -> Integer.parseInt(r.substring(0, 3))).toList();
    }
}
