package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.spool.SpooledMessage;
import dev.tern.server.it.RawSmtpClient.Reply;
import jakarta.mail.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The protocol over a real socket: greeting and extensions, a message from an independent client,
 * strict CRLF (RFC 5321 2.3.8, the SMTP smuggling family), dot-unstuffing (4.5.2), PIPELINING
 * (RFC 2920) and CHUNKING (RFC 3030); and peers that are no SMTP clients (a browser made to POST to
 * port 25, HTTP or header lines as commands), disconnected before a line after theirs runs.
 */
class ProtocolIT {
    @TempDir
    static Path dataDir;

    private static TernFixture tern;

    @BeforeAll
    static void start() {
        tern = TernFixture.start(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        tern.close();
    }

    private int storedBefore;

    @BeforeEach
    void countStored() {
        storedBefore = tern.server().spool().size();
    }

    /** The messages this test stored (the server is shared by the class). */
    private List<String> storedByThisTest() {
        List<String> all = tern.storedContents();
        return all.subList(storedBefore, all.size());
    }

    @Test
    void greetsAndAdvertisesTheExtensionsWithoutAuthBeforeTls() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            assertThat(c.reply().last()).isEqualTo("220 " + TernFixture.HOSTNAME + " ESMTP Tern");
            List<String> keywords = c.ehlo("client.test");
            assertThat(keywords)
                    .contains(
                            "PIPELINING",
                            "SIZE " + tern.config().limits().maxMessageSize(),
                            "8BITMIME",
                            "ENHANCEDSTATUSCODES",
                            "SMTPUTF8",
                            "CHUNKING",
                            "DSN",
                            "STARTTLS")
                    .noneMatch(k -> k.startsWith("AUTH"));
        }
    }

    @Test
    void storesAMessageSentWithAngusMail() throws Exception {
        Session session = AngusClient.plain();
        var message = AngusClient.message(
                session, "sender@remote.test", "bob@local.test", "Hello Tern", "First line\r\nSecond line\r\n");
        String reply = AngusClient.send(session, tern.mx(), null, null, message);

        assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
        String queueId = reply.substring("250 2.0.0 Ok: queued as ".length()).strip();
        SpooledMessage stored = tern.server().spool().pending().stream()
                .filter(m -> m.id().value().equals(queueId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("queue id " + queueId + " not in the spool"));
        assertThat(stored.envelope().recipients()).hasSize(1);
        assertThat(stored.envelope().recipients().get(0).mailbox().address()).isEqualTo("bob@local.test");
        assertThat(stored.envelope().reversePath().mailbox().address()).isEqualTo("sender@remote.test");
        String content = tern.content(stored);
        assertThat(content)
                .startsWith("Received: from client.test ([127.0.0.1])\r\n\tby tern.test (Tern) with ESMTP\r\n")
                .contains("\r\nSubject: Hello Tern\r\n")
                .endsWith("\r\n\r\nFirst line\r\nSecond line\r\n");
        assertThat(content.indexOf("Received:", 1))
                .as("only our Received header")
                .isEqualTo(-1);
    }

    /**
     * Only the octets in the table are sent, never a CRLF after them: the reply must not wait for one
     * (nor for the idle timeout). Then the refused line's rest ends and a NOOP shows the session in step.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                       | octets sent          | the rest of the refused line, sent after the reply
            bare LF ends a command       | NOOP<LF>             | ''
            bare CR inside a command     | NOOP<CR>X            | MAIL FROM:<a@remote.test><CRLF>
            LF-only EHLO                 | EHLO client.test<LF> | ''
            """)
    void answersABareLineEndingInACommandAtOnce(String what, String octets, String rest) {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            assertThat(c.send(octets(octets)).reply().last()).as(what).startsWith("500 5.5.2");
            c.send(octets(rest));
            assertThat(c.command("NOOP").last()).as(what).startsWith("250 2.0.0");
        }
    }

    @Test
    void closesAClientThatKeepsSendingBareLineFeeds() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.send("NOOP\n".repeat(tern.config().limits().maxErrors()));
            for (int i = 0; i < tern.config().limits().maxErrors(); i++) {
                assertThat(c.reply().last()).startsWith("500 5.5.2");
            }
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                      | body, with <CR> and <LF> for the octets (a real CRLF is <CRLF>)
            bare LF inside a line       | Subject: x<CRLF><CRLF>one<LF>two<CRLF>
            bare CR inside a line       | Subject: x<CRLF><CRLF>one<CR>two<CRLF>
            bare CR before the CRLF     | Subject: x<CRLF><CRLF>one<CR><CRLF>
            """)
    void refusesBareLineEndingsInsideDataAfterTheTerminator(String what, String body) {
        try (RawSmtpClient c = openTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send(octets(body));
            c.expectSilence(Duration.ofMillis(200));
            assertThat(c.send(".\r\n").reply().last()).as(what).startsWith("550 5.6.0");
            // Nothing stored, and the client may go on with a new transaction.
            assertThat(c.command("MAIL FROM:<sender@remote.test>").last()).startsWith("250 2.1.0");
        }
        assertThat(storedByThisTest()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                         | the fake end of data followed by a smuggled transaction
            LF dot LF                      | <LF>.<LF>
            CRLF dot LF                    | <CRLF>.<LF>
            LF dot CRLF                    | <LF>.<CRLF>
            CR dot CR                      | <CR>.<CR>
            CRLF dot CR                    | <CRLF>.<CR>
            """)
    void doesNotEndTheMessageAtASmuggledTerminator(String what, String fakeEnd) {
        String body = "Subject: a<CRLF><CRLF>hello" + fakeEnd
                + "MAIL FROM:<evil@remote.test><CRLF>RCPT TO:<bob@local.test><CRLF>DATA<CRLF>"
                + "Subject: smuggled<CRLF><CRLF>evil<CRLF>";
        try (RawSmtpClient c = openTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send(octets(body));
            // No reply to any smuggled command: the server is still reading the first message.
            c.expectSilence(Duration.ofMillis(200));
            Reply end = c.send(".\r\n").reply();
            assertThat(end.last()).as(what).startsWith("550 5.6.0");
            // Exactly one reply for the whole thing: the next one answers QUIT.
            assertThat(c.command("QUIT").last()).startsWith("221");
            c.expectEof();
        }
        assertThat(storedByThisTest()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                | MAIL FROM parameters | RCPT TO parameters            | MAIL reply | RCPT reply
            ENVID with an encoded NUL             | ENVID=a+00b          | ''                            | 501 5.5.4  | 503 5.5.1
            ENVID with an encoded CRLF            | ENVID=a+0D+0Ab       | ''                            | 501 5.5.4  | 503 5.5.1
            ENVID with an encoded DEL             | ENVID=a+7F           | ''                            | 501 5.5.4  | 503 5.5.1
            ORCPT with an encoded LF              | ''                   | ORCPT=rfc822;a+0Ab@x          | 250 2.1.0  | 501 5.5.4
            ORCPT with an encoded ESC             | ''                   | ORCPT=rfc822;a+1Bb@x          | 250 2.1.0  | 501 5.5.4
            printable ENVID and ORCPT are taken   | ENVID=a+20b          | ORCPT=rfc822;bob+40local.test | 250 2.1.0  | 250 2.1.5
            """)
    void refusesDsnParametersThatDecodeToControlCharacters(
            String what, String mailParameters, String rcptParameters, String mailReply, String rcptReply) {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.ehlo("client.test");
            assertThat(c.command(("MAIL FROM:<sender@remote.test> " + mailParameters).strip())
                            .last())
                    .as(what)
                    .startsWith(mailReply);
            assertThat(c.command(("RCPT TO:<bob@local.test> " + rcptParameters).strip())
                            .last())
                    .as(what)
                    .startsWith(rcptReply);
        }
    }

    @Test
    void unstuffsLeadingDots() {
        try (RawSmtpClient c = openTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            Reply queued = c.send("Subject: dots\r\n\r\n..x\r\n...\r\n.\r\n").reply();
            assertThat(queued.last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(storedByThisTest()).singleElement().asString().endsWith("Subject: dots\r\n\r\n.x\r\n..\r\n");
    }

    @Test
    void setsTheBodyOfAMessageWithNoHeaderSectionApartFromTheFieldsItAdds() {
        try (RawSmtpClient c = openTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("just a body line\r\nDear Sir: hello\r\n.\r\n")
                            .reply()
                            .last())
                    .startsWith("250 2.0.0 Ok: queued as");
        }
        // RFC 5322 2.1: the header section ends at the first empty line, so the text stays the body.
        assertThat(storedByThisTest())
                .singleElement()
                .asString()
                .startsWith("Received: ")
                .endsWith("\r\n\r\njust a body line\r\nDear Sir: hello\r\n");
    }

    /**
     * Sent ahead where RFC 2920 allows none (Postfix's smtpd_forbid_unauth_pipelining, Exim's
     * smtp_enforce_sync): the session ends with 554 5.5.0 and nothing sent ahead is run or stored.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                | first, answered              | then, in one write
            a transaction behind EHLO, at once    |                              | EHLO client.test\\nMAIL FROM:<a@remote.test>\\nRCPT TO:<bob@local.test>\\n
            commands after HELO, without PIPELINING | HELO client.test           | MAIL FROM:<a@remote.test>\\nRCPT TO:<bob@local.test>\\n
            the content before the 354            | EHLO client.test             | MAIL FROM:<a@remote.test>\\nRCPT TO:<bob@local.test>\\nDATA\\nSubject: ahead\\n\\nbody\\n.\\n
            """)
    void endsASessionThatSendsAheadWhereRfc2920AllowsNone(String what, String first, String then) {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            if (first != null) {
                assertThat(c.command(first).code()).isEqualTo(250);
            }
            c.send(then.replace("\\n", "\r\n"));
            String rest = c.readToEof();
            assertThat(rest).as(what).endsWith("554 5.5.0 Error: SMTP protocol synchronization\r\n");
        }
        assertThat(storedByThisTest()).isEmpty();
    }

    @Test
    void answersPipelinedCommandsInOrder() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            // RFC 2920 3.1: EHLO ends its group; MAIL, RCPT and DATA may go together, DATA last.
            assertThat(c.command("EHLO client.test").lines().get(0)).startsWith("250-" + TernFixture.HOSTNAME);
            c.send("MAIL FROM:<a@remote.test>\r\nRCPT TO:<bob@local.test>\r\n"
                    + "RCPT TO:<carol@local.test>\r\nDATA\r\n");
            assertThat(c.reply().last()).startsWith("250 2.1.0");
            assertThat(c.reply().last()).startsWith("250 2.1.5");
            assertThat(c.reply().last()).startsWith("250 2.1.5");
            assertThat(c.reply().last()).startsWith("354");
            c.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.reply().last()).startsWith("221 2.0.0");
            c.expectEof();
        }
        assertThat(storedByThisTest()).singleElement().asString().endsWith("Subject: pipelined\r\n\r\nbody\r\n");
    }

    /**
     * A client that sends its message and shuts its side down at once ({@code printf ... | nc -N}) still
     * reads the reply: the {@code 250} that takes responsibility for the message is written after the flush,
     * then any reply to what followed the message, then the connection closes. Without the 250 the client
     * would send the message again.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                        | command  | then, and the half-close                                    | reply after the 250
            DATA                          | DATA     | Subject: half<CRLF><CRLF>body<CRLF>.<CRLF>                   | ''
            DATA, QUIT pipelined after it | DATA     | Subject: half<CRLF><CRLF>body<CRLF>.<CRLF>QUIT<CRLF>         | 221 2.0.0
            DATA, a line cut short after  | DATA     | Subject: half<CRLF><CRLF>body<CRLF>.<CRLF>NOO                | ''
            BDAT LAST                     | ''       | BDAT 23 LAST<CRLF>Subject: half<CRLF><CRLF>body<CRLF>         | ''
            BDAT LAST, QUIT after it      | ''       | BDAT 23 LAST<CRLF>Subject: half<CRLF><CRLF>body<CRLF>QUIT<CRLF> | 221 2.0.0
            """)
    void answersAMessageWhoseClientShutItsSideDownRightAfterSendingIt(
            String what, String command, String rest, String lastReply) {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            assertThat(c.command("EHLO client.test").last()).startsWith("250 ");
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("250 2.1.0");
            assertThat(c.command("RCPT TO:<bob@local.test>").last()).startsWith("250 2.1.5");
            if (!command.isEmpty()) {
                assertThat(c.command(command).last()).startsWith("354");
            }
            c.send(octets(rest)).shutdownOutput();
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
            if (!lastReply.isEmpty()) {
                assertThat(c.reply().last()).startsWith(lastReply);
            }
            c.expectEof();
        }
        assertThat(storedByThisTest()).singleElement().asString().endsWith("Subject: half\r\n\r\nbody\r\n");
    }

    @Test
    void storesChunksExactlyEvenWhenTheyLookLikeTheEndOfData() {
        String first = "Subject: chunks\r\n\r\nbefore\r\n.\r\n";
        String last = "MAIL FROM:<x@y.test>\r\n.after\r\n";
        try (RawSmtpClient c = openTransaction()) {
            sendTwoChunks(c, first, last);
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.command("NOOP").last()).startsWith("250 2.0.0 Ok");
        }
        // BDAT content is octets: no dot-unstuffing, no end-of-data detection (RFC 3030 2).
        assertThat(storedByThisTest()).singleElement().asString().endsWith("\r\n" + first + last);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                  | first chunk                         | last chunk
            bare LF inside a line                   | Subject: x<CRLF><CRLF>one<LF>two<CRLF> | end<CRLF>
            bare CR inside a line                   | Subject: x<CRLF><CRLF>one<CR>two<CRLF> | end<CRLF>
            a smuggled end of data with bare LFs    | Subject: x<CRLF><CRLF>a<LF>.<LF>      | MAIL FROM:<e@evil.test><CRLF>
            CR ending one chunk, no LF after it     | Subject: x<CRLF><CRLF>one<CR>          | two<CRLF>
            CR ending the last chunk                | Subject: x<CRLF><CRLF>one<CRLF>        | two<CR>
            LF starting a chunk after a full line   | Subject: x<CRLF><CRLF>one<CRLF>        | <LF>two<CRLF>
            """)
    void refusesBareLineEndingsInBdatChunksAndStoresNothing(String what, String first, String last) {
        String one = octets(first);
        String two = octets(last);
        try (RawSmtpClient c = openTransaction()) {
            sendTwoChunks(c, one, two);
            assertThat(c.reply().last()).as(what).startsWith("550 5.6.0");
            // The transaction is over and nothing in the chunks was read as a command.
            assertThat(c.command("MAIL FROM:<sender@remote.test>").last()).startsWith("250 2.1.0");
        }
        assertThat(storedByThisTest()).isEmpty();
    }

    /**
     * RFC 3030 lets BDAT content end anywhere; the message is kept with its last line ended by CRLF, as DATA
     * always ends it, so the spool holds what local delivery and relaying then read.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | first chunk                 | last chunk   | stored
            a body whose last line has no CRLF       | Subject: x<CRLF><CRLF>one   | <CRLF>two    | Subject: x<CRLF><CRLF>one<CRLF>two<CRLF>
            a header section alone, no CRLF at all   | Subject: x<CRLF>X-Two: y    | ''           | Subject: x<CRLF>X-Two: y<CRLF>
            the last line ended, in an empty last    | Subject: x<CRLF><CRLF>one   | ''           | Subject: x<CRLF><CRLF>one<CRLF>
            a last line already ended                | Subject: x<CRLF><CRLF>one<CR> | <LF>       | Subject: x<CRLF><CRLF>one<CRLF>
            """)
    void storesABdatMessageWithItsLastLineEnded(String what, String first, String last, String stored) {
        String one = octets(first);
        String two = octets(last);
        try (RawSmtpClient c = openTransaction()) {
            sendTwoChunks(c, one, two);
            assertThat(c.reply().last()).as(what).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(storedByThisTest()).as(what).singleElement().asString().endsWith("\r\n" + octets(stored));
    }

    @Test
    void takesACrlfSplitAcrossTwoBdatChunks() {
        String first = "Subject: split\r\n\r\none\r";
        String last = "\ntwo\r\n";
        try (RawSmtpClient c = openTransaction()) {
            sendTwoChunks(c, first, last);
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(storedByThisTest()).singleElement().asString().endsWith("\r\n" + first + last);
    }

    /**
     * A BDAT line whose words are apart by a tab is BDAT, as Postfix reads it: its chunk, a whole transaction
     * written as commands, is the message's content, never run.
     */
    @Test
    void readsTheChunkOfABdatLineWithATabAsContent() {
        String chunk = smuggledTransaction();
        try (RawSmtpClient c = openTransaction()) {
            c.send("BDAT\t" + chunk.length() + " LAST\r\n" + chunk);
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.command("QUIT").last()).startsWith("221");
            c.expectEof();
        }
        assertThat(storedByThisTest()).singleElement().asString().endsWith("\r\n" + chunk);
    }

    /**
     * A line another reader may take for BDAT (a control character for its space, white space before it, a bare
     * CR or LF for its end, an octet that is not UTF-8, a length past the limit) has a chunk whose end Tern cannot
     * know: the session ends there, and the chunk's smuggled transaction never runs.
     */
    @ParameterizedTest(name = "{index}")
    @ValueSource(
            strings = {
                "BDAT\u000b%d LAST\r\n",
                "BDAT\u000c%d LAST\r\n",
                "BDAT\u0000%d LAST\r\n",
                " BDAT %d LAST\r\n",
                "\tbdat %d\r\n",
                "BDAT\r%d LAST\r\n",
                "BDAT %d LAST\n",
                "BDAT\u0085%d LAST\r\n",
                "BDAT\u00a0%d LAST\r\n",
                "BDAT <spaces>%d LAST\r\n",
                "<spaces>BDAT %d\r\n",
                "\rBDAT %d\r\n",
                "XXXX\rBDAT %d\r\n",
                "\u007fBDAT %d\r\n",
                "\u0085BDAT %d\r\n"
            })
    void endsTheSessionAtALineThatMayBeReadAsBdat(String form) {
        String chunk = smuggledTransaction();
        try (RawSmtpClient c = openTransaction()) {
            c.send(form.replace("<spaces>", " ".repeat(600)).formatted(chunk.length()) + chunk);
            // At most a refusal of the line before the BDAT lookalike (a bare CR's), then the end.
            assertThat(c.readToEof()).contains("554 5.5.4").doesNotContain("250");
        }
        assertThat(storedByThisTest()).isEmpty();
    }

    private static String smuggledTransaction() {
        String inner = "Subject: smuggled\r\n\r\nevil\r\n";
        return "RSET\r\nMAIL FROM:<ceo@local.test>\r\nRCPT TO:<bob@local.test>\r\nBDAT " + inner.length() + " LAST\r\n"
                + inner;
    }

    @Test
    void closesAtAnHttpPostAndRunsNoneOfTheSmtpInItsBody() {
        double before = tern.refusals("not_smtp");
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            // All in one write, as a browser sends it: the greeting is not even awaited.
            c.send("POST / HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:25\r\n"
                    + "Content-Type: text/plain\r\n"
                    + "\r\n"
                    + "EHLO attacker.test\r\n"
                    + "MAIL FROM:<a@attacker.test>\r\n"
                    + "RCPT TO:<bob@local.test>\r\n"
                    + "DATA\r\n"
                    + "Subject: cross-protocol\r\n\r\nspam\r\n.\r\n"
                    + "QUIT\r\n");
            assertThat(c.readToEof())
                    .isEqualTo("220 tern.test ESMTP Tern\r\n554 5.7.0 Not an SMTP client, closing connection\r\n");
        }
        assertThat(storedByThisTest()).isEmpty();
        await().untilAsserted(() -> assertThat(tern.refusals("not_smtp")).isEqualTo(before + 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                | after EHLO first | line
            a GET as the first line               | false            | GET / HTTP/1.1
            a CONNECT through a forward proxy     | false            | CONNECT 127.0.0.1:25 HTTP/1.1
            a lower-case method                   | false            | options * HTTP/1.1
            a header line as the first line       | false            | Host: tern.test
            a header line in the session          | true             | User-Agent: curl/8.0
            a message header out of place         | true             | Subject: hello
            """)
    void closesAtAnHttpOrHeaderLine(String what, boolean afterEhlo, String line) {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            assertThat(c.reply().code()).isEqualTo(220);
            if (afterEhlo) {
                c.ehlo("client.test");
            }
            c.send(line + "\r\nNOOP\r\n");
            assertThat(c.reply().last()).isEqualTo("554 5.7.0 Not an SMTP client, closing connection");
            c.expectEof();
        }
    }

    /** Connected, greeted, EHLO sent, inside a transaction for bob@local.test. */
    private static RawSmtpClient openTransaction() {
        RawSmtpClient c = tern.connect(tern.mx());
        c.reply();
        c.ehlo("client.test");
        assertThat(c.command("MAIL FROM:<sender@remote.test>").last()).startsWith("250 2.1.0");
        assertThat(c.command("RCPT TO:<bob@local.test>").last()).startsWith("250 2.1.5");
        return c;
    }

    /** Sends {@code first} as a BDAT chunk and {@code last} as the LAST one, and reads the first one's 250. */
    private static void sendTwoChunks(RawSmtpClient c, String first, String last) {
        c.send("BDAT " + first.length() + "\r\n" + first + "BDAT " + last.length() + " LAST\r\n" + last);
        assertThat(c.reply().last()).isEqualTo("250 2.0.0 Ok: " + first.length() + " octets received");
    }

    /** Test-table notation to octets: {@code <CRLF>}, {@code <CR>}, {@code <LF>}. */
    static String octets(String notation) {
        return notation.replace("<CRLF>", "\r\n").replace("<CR>", "\r").replace("<LF>", "\n");
    }
}
