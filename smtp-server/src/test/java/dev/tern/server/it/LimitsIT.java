package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.LogLines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every limit over a real socket, each with the reply RFC 5321 and its extensions ask for. */
class LimitsIT {
    @TempDir
    Path dataDir;

    private TernFixture tern;

    private TernFixture start(Map<String, String> overrides) {
        tern = TernFixture.start(dataDir, overrides, (user, password) -> CompletableFuture.completedFuture(false));
        return tern;
    }

    @AfterEach
    void stop() {
        if (tern != null) {
            tern.close();
        }
    }

    /**
     * A client that sends and never reads: its replies fill the socket, Tern stops reading it, and at the
     * timeout its 421 cannot be written either. The connection closes all the same, a short grace later, so it
     * does not keep its place under the connection limits (and its buffers) for good.
     */
    @Test
    void closesTheConnectionOfAClientThatNeverReadsItsReplies() throws Exception {
        start(Map.of(
                "TERN_TIMEOUTS_COMMAND", "2s",
                "TERN_TIMEOUTS_DATA_BLOCK", "2s",
                "TERN_LIMITS_FORBID_UNAUTH_PIPELINING", "false"));
        try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open()) {
            client.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 2048);
            client.connect(tern.mx());
            client.configureBlocking(false);
            java.nio.ByteBuffer ahead =
                    java.nio.ByteBuffer.wrap(("EHLO c\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<bob@local.test>\r\n"
                                    + "BDAT 1\r\nx".repeat(400_000))
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            // Until the socket takes no more: Tern has stopped reading, its replies unread.
            await().atMost(Duration.ofSeconds(60)).until(() -> client.write(ahead) == 0 && client.write(ahead) == 0);
            // The idle timeout (2 s here), then the last reply's grace (10 s): on a loaded machine the timers
            // run late, and a close that never came is what this test is for, not its exact moment.
            await().atMost(Duration.ofSeconds(60)).until(() -> connectionsActive() == 0);
        }
    }

    private double connectionsActive() {
        return tern.server()
                .meterRegistry()
                .get("smtp.server.connections.active")
                .gauge()
                .value();
    }

    @Test
    void refusesACommandLineOver512Octets() {
        start(Map.of());
        try (RawSmtpClient c = greeted()) {
            // RFC 5321 4.5.3.1.4: 512 octets including CRLF.
            assertThat(c.command("NOOP " + "x".repeat(600)).last()).startsWith("500 5.5.2");
            assertThat(c.command("NOOP " + "x".repeat(505)).last()).startsWith("250 2.0.0");
        }
    }

    /**
     * MAIL and RCPT lines carry their extensions' parameters past 512 octets: a path of 256 octets (the
     * most RFC 5321 4.5.3.1.3 allows) with NOTIFY and ORCPT (RFC 3461 4: 500 more for RCPT), or with SIZE,
     * RET, ENVID and AUTH (RFC 1870, RFC 3461 4, RFC 4954 5: 626 more for MAIL). Refusing them would
     * bounce real mail (long VERP or SRS addresses forwarded with their ORCPT); one octet more is too long.
     */
    @Test
    void takesMailAndRcptLinesLengthenedByTheirParameters() {
        start(Map.of());
        String address = "v".repeat(64) + "@" + ("d".repeat(58) + ".").repeat(2) + "d".repeat(59) + ".remote.test";
        assertThat(address).hasSize(254);
        String mail = "MAIL FROM:<" + address + "> SIZE=1000 RET=HDRS ENVID=" + "e".repeat(100) + " AUTH=" + address;
        String rcpt = "RCPT TO:<" + address + "> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;" + address;
        assertThat(mail.length() + 2).isBetween(513, 512 + 626);
        assertThat(rcpt.length() + 2).isBetween(513, 512 + 500);
        try (RawSmtpClient c = greeted()) {
            c.ehlo("client.test");
            assertThat(c.command(mail).last()).startsWith("250 2.1.0");
            assertThat(c.command(rcpt).last()).startsWith("250 2.1.5");
            String tooLong = "RCPT TO:<bob@local.test> ORCPT=rfc822;" + "o".repeat(1013 - 38 - 2);
            assertThat(tooLong.length() + 2).isEqualTo(1013);
            assertThat(c.command(tooLong).last()).startsWith("500 5.5.2");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.command("Subject: long paths\r\n\r\nbody\r\n.").last()).startsWith("250 2.0.0");
        }
        assertThat(tern.storedContents()).singleElement().asString().endsWith("Subject: long paths\r\n\r\nbody\r\n");
    }

    @Test
    void refusesATextLineOver1000OctetsAfterTheTerminator() {
        start(Map.of());
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            // RFC 5321 4.5.3.1.6: 1000 octets including CRLF; 998 is the most text a line may hold.
            c.send("Subject: long\r\n\r\n" + "y".repeat(998) + "\r\n" + "z".repeat(999) + "\r\n");
            c.expectSilence(Duration.ofMillis(200));
            assertThat(c.send(".\r\n").reply().last()).startsWith("550 5.6.0");
        }
        assertThat(tern.storedContents()).isEmpty();
    }

    @Test
    void refusesAMessageOverTheSizeLimitOnlyAfterTheTerminator() {
        start(Map.of("TERN_LIMITS_MAX_MESSAGE_SIZE", "10000"));
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            String line = "x".repeat(98) + "\r\n";
            c.send("Subject: big\r\n\r\n" + line.repeat(200));
            // RFC 1870 6.3 and RFC 5321 4.2.5: the reply comes after the whole message has been read.
            c.expectSilence(Duration.ofMillis(300));
            assertThat(c.send(".\r\n").reply().last()).startsWith("552 5.3.4");
            // The session is in step: a new transaction starts normally.
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("250 2.1.0");
        }
        assertThat(tern.storedContents()).isEmpty();
    }

    @Test
    void refusesAHeaderSectionOverTheDefaultSizeLimitAfterTheTerminator() {
        start(Map.of());
        // 104 lines of 1,000 octets: past the default 100KiB, well under the 25MiB message limit.
        String field = "X-Padding: " + "p".repeat(987) + "\r\n";
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: heavy header\r\n" + field.repeat(104) + "\r\nbody\r\n");
            c.expectSilence(Duration.ofMillis(300));
            assertThat(c.send(".\r\n").reply().last())
                    .isEqualTo("552 5.3.4 Message header section exceeds fixed limit");
            // The session is in step, and the same content as body, not header, is taken.
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("250 2.1.0");
            assertThat(c.command("RCPT TO:<bob@local.test>").last()).startsWith("250 2.1.5");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: heavy body\r\n\r\n" + field.repeat(104));
            assertThat(c.send(".\r\n").reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.storedContents()).singleElement().asString().contains("Subject: heavy body");
    }

    /**
     * A message sent with no header section (a script piping text) is body from its first line, as Postfix
     * reads it: neither the header limits nor the loop count apply to its lines, however many there are.
     */
    @Test
    void aMessageWithNoHeaderSectionIsBodyNotAnOversizedHeader() {
        start(Map.of("TERN_LIMITS_MAX_HEADER_FIELDS", "20"));
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("disk usage report\r\n" + "Received: from a line of the report\r\n".repeat(60)
                    + "line of text\r\n".repeat(3000) + ".\r\n");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        // The fields Tern adds stand apart from the text by an empty line.
        assertThat(tern.storedContents()).singleElement().asString().contains("\r\n\r\ndisk usage report\r\n");
    }

    /**
     * A line that is no field ends the header section where it stands, and an empty line goes in before it, as
     * Postfix does: the fields after it are body for everyone (the header limits, local delivery, the next hop),
     * so they neither count against the limits here nor reach a peer as an oversized header section.
     */
    @Test
    void aLineThatIsNoFieldBeginsTheBodyForEveryReader() {
        start(Map.of("TERN_LIMITS_MAX_HEADER_FIELDS", "20"));
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: s\r\nnot a header line\r\n" + "X-Field: 1\r\n".repeat(50) + ".\r\n");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.storedContents())
                .singleElement()
                .asString()
                .contains("\r\nSubject: s\r\n\r\nnot a header line\r\nX-Field: 1\r\n");
    }

    @Test
    void refusesAHeaderSectionWithTooManyFields() {
        start(Map.of("TERN_LIMITS_MAX_HEADER_FIELDS", "20"));
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("X-Field: 1\r\n".repeat(21) + "\r\nbody\r\n.\r\n");
            assertThat(c.reply().last()).startsWith("552 5.3.4");
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("250 2.1.0");
            assertThat(c.command("RCPT TO:<bob@local.test>").last()).startsWith("250 2.1.5");
            c.send("BDAT 240 LAST\r\n" + "X-Field: 1\r\n".repeat(20));
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.storedContents()).hasSize(1);
    }

    @Test
    void refusesADeclaredSizeOverTheLimit() {
        start(Map.of("TERN_LIMITS_MAX_MESSAGE_SIZE", "10000"));
        try (RawSmtpClient c = greeted()) {
            assertThat(c.ehlo("client.test")).contains("SIZE 10000");
            assertThat(c.command("MAIL FROM:<a@remote.test> SIZE=10001").last()).startsWith("552 5.3.4");
            assertThat(c.command("MAIL FROM:<a@remote.test> SIZE=10000").last()).startsWith("250 2.1.0");
        }
    }

    /**
     * RFC 3030 2: the chunks a client pipelined after the one that failed its transaction are read and
     * discarded. Each is answered with the same refusal, none counts as an error, and the session goes on.
     */
    @Test
    void discardsTheChunksPipelinedAfterAFailedOneWithoutCountingThemAsErrors() {
        start(Map.of("TERN_LIMITS_MAX_MESSAGE_SIZE", "10000", "TERN_LIMITS_MAX_ERRORS", "4"));
        String chunk = "BDAT 4000\r\n" + ("x".repeat(98) + "\r\n").repeat(40);
        try (RawSmtpClient c = inTransaction()) {
            c.send(chunk.repeat(6) + "BDAT 2 LAST\r\n\r\n");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: 4000 octets received");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: 4000 octets received");
            for (int i = 3; i <= 7; i++) {
                assertThat(c.reply().last()).as("chunk %d", i).startsWith("552 5.3.4");
            }
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            // Past another command (RSET here, before any LAST) the client has left those chunks behind: a BDAT
            // then is out of order, and an error.
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            c.send(chunk.repeat(3) + "RSET\r\nBDAT 3\r\nabc");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: 4000 octets received");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: 4000 octets received");
            assertThat(c.reply().last()).startsWith("552 5.3.4");
            assertThat(c.reply().last()).startsWith("250");
            assertThat(c.reply().last()).startsWith("503 5.5.1");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            c.send("BDAT 23 LAST\r\nSubject: next\r\n\r\nbody\r\n");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.storedContents()).singleElement().asString().contains("Subject: next");
    }

    /** The same for a message whose every recipient was refused: its first chunk is the one refused. */
    @Test
    void refusesThePipelinedChunksOfAMessageWithNoRecipientAsOneError() {
        start(Map.of("TERN_LOCAL_MAILBOXES", "bob@local.test", "TERN_LIMITS_MAX_ERRORS", "3"));
        try (RawSmtpClient c = greeted()) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@remote.test>\r\nRCPT TO:<gone@local.test>\r\n" + "BDAT 10\r\n0123456789".repeat(4)
                    + "BDAT 0 LAST\r\n");
            assertThat(c.reply().last()).startsWith("250 2.1.0");
            assertThat(c.reply().last()).startsWith("550 5.1.1");
            for (int i = 1; i <= 5; i++) {
                assertThat(c.reply().last()).as("chunk %d", i).startsWith("554 5.5.1");
            }
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
        assertThat(tern.storedContents()).isEmpty();
    }

    /** A refused chunk fails its transaction: a RCPT pipelined after it cannot make a message of the rest. */
    @Test
    void aRecipientPipelinedAfterARefusedChunkMakesNoMessageOfTheRest() {
        start(Map.of("TERN_LOCAL_MAILBOXES", "bob@local.test"));
        try (RawSmtpClient c = greeted()) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@remote.test>\r\nRCPT TO:<gone@local.test>\r\nBDAT 10\r\n0123456789"
                    + "RCPT TO:<bob@local.test>\r\nBDAT 23 LAST\r\nSubject: tail\r\n\r\nbody\r\n");
            assertThat(c.reply().last()).startsWith("250 2.1.0");
            assertThat(c.reply().last()).startsWith("550 5.1.1");
            assertThat(c.reply().last()).startsWith("554 5.5.1");
            assertThat(c.reply().last()).startsWith("503 5.5.1");
            assertThat(c.reply().last()).startsWith("503 5.5.1");
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
        assertThat(tern.storedContents()).isEmpty();
    }

    @Test
    void defersRecipientsOverTheLimit() {
        start(Map.of("TERN_LIMITS_MAX_RECIPIENTS", "3"));
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("RCPT TO:<b@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<c@local.test>").code()).isEqualTo(250);
            // RFC 5321 4.5.3.1.10: a temporary refusal, the client sends the rest later.
            assertThat(c.command("RCPT TO:<d@local.test>").last()).startsWith("452 4.5.3");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: three\r\n\r\n.\r\n").reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.server().spool().pending())
                .singleElement()
                .satisfies(m -> assertThat(m.envelope().recipients()).hasSize(3));
    }

    @Test
    void closesAfterTooManyErrors() {
        start(Map.of("TERN_LIMITS_MAX_ERRORS", "3"));
        try (RawSmtpClient c = greeted()) {
            assertThat(c.command("FOO").last()).startsWith("500 5.5.1");
            assertThat(c.command("BAR").last()).startsWith("500 5.5.1");
            c.send("BAZ\r\n");
            assertThat(c.reply().last()).startsWith("500 5.5.1");
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
    }

    /**
     * A relay passing on a message for a list with stale addresses meets one refusal per stale address: with
     * the defaults (Postfix's own limits: the tarpit after 10 errors, the close at 20) a dozen of them do not
     * end the transaction before its DATA.
     */
    @Test
    void aMessageWithADozenUnknownRecipientsIsStillTaken() {
        start(Map.of("TERN_LOCAL_MAILBOXES", "bob@local.test"));
        try (RawSmtpClient c = inTransaction()) {
            for (int i = 0; i < 12; i++) {
                assertThat(c.command("RCPT TO:<gone" + i + "@local.test>").last())
                        .startsWith("550 5.1.1");
            }
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: list\r\n\r\n.\r\n").reply().last()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.server().spool().pending())
                .singleElement()
                .satisfies(m -> assertThat(m.envelope().recipients()).hasSize(1));
    }

    /**
     * A refused sender or recipient is logged with the address as the client wrote it (Postfix's "NOQUEUE:
     * reject" line), its control characters written as {@code ?}.
     */
    @Test
    void aRefusedSenderOrRecipientIsLoggedWithItsAddress() {
        start(Map.of("TERN_LOCAL_MAILBOXES", "bob@local.test"));
        try (LogLines log = LogLines.of("dev.tern.server.smtp.SmtpSession");
                RawSmtpClient c = greetedFrom("127.0.0.7")) {
            c.ehlo("client.test");
            assertThat(c.command("MAIL FROM:<a@remote.test> FOO=1").last()).startsWith("555 5.5.4");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<gone@local.test>").last()).startsWith("550 5.1.1");
            assertThat(c.command("RCPT TO:<x@elsewhere.test>").last()).startsWith("554 5.7.1");
            assertThat(c.command("RCPT TO:<a\u001b[2J@local.test>").code()).isGreaterThanOrEqualTo(500);
            assertThat(log.lines())
                    .anySatisfy(line -> assertThat(line)
                            .contains("client=127.0.0.7 refused MAIL FROM:<a@remote.test> FOO=1: 555 5.5.4"))
                    .anySatisfy(line -> assertThat(line).contains("refused RCPT TO:<gone@local.test>: 550 5.1.1"))
                    .anySatisfy(line -> assertThat(line).contains("refused RCPT TO:<x@elsewhere.test>: 554 5.7.1"))
                    .anySatisfy(line -> assertThat(line).contains("refused RCPT TO:<a?[2J@local.test>: 5"))
                    .noneSatisfy(line -> assertThat(line).contains("\u001b"));
        }
    }

    /** An accepted message forgives the errors before it (Postfix's smtpd does the same). */
    @Test
    void anAcceptedMessageForgivesTheErrorsBeforeIt() {
        start(Map.of("TERN_LIMITS_MAX_ERRORS", "3"));
        try (RawSmtpClient c = greeted()) {
            c.ehlo("client.test");
            assertThat(c.command("FOO").last()).startsWith("500 5.5.1");
            assertThat(c.command("BAR").last()).startsWith("500 5.5.1");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: one\r\n\r\n.\r\n").reply().last()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.command("FOO").last()).startsWith("500 5.5.1");
            assertThat(c.command("BAR").last()).startsWith("500 5.5.1");
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            assertThat(c.command("BAZ").last()).startsWith("500 5.5.1");
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
    }

    @Test
    void refusesConnectionsOverTheGlobalCap() {
        start(Map.of("TERN_LIMITS_MAX_CONNECTIONS", "2"));
        try (RawSmtpClient first = greeted();
                RawSmtpClient second = tern.connect(tern.submission())) {
            assertThat(second.reply().code()).isEqualTo(220);
            try (RawSmtpClient third = tern.connect(tern.mx())) {
                assertThat(third.reply().last()).startsWith("421 4.7.0");
                third.expectEof();
            }
            first.command("QUIT");
            first.expectEof();
            // The slot is given back when the server sees the close.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawSmtpClient again = tern.connect(tern.mx())) {
                    assertThat(again.reply().code()).isEqualTo(220);
                }
            });
        }
    }

    @Test
    void refusesConnectionsOverThePerAddressCapFromUntrustedNetworks() {
        start(Map.of(
                "TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "2",
                // Loopback is exempt when trusted, so trust something else.
                "TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8"));
        try (RawSmtpClient first = greeted();
                RawSmtpClient second = greeted();
                RawSmtpClient third = tern.connect(tern.mx())) {
            assertThat(third.reply().last()).startsWith("421 4.7.0");
            third.expectEof();
        }
    }

    /**
     * The built-in trust covers this host's own 127.0.0.1 and no other address: the cap, crossed from two
     * loopback addresses at once, refuses 127.0.0.2's second connection while 127.0.0.1's second goes on.
     */
    @Test
    void withTheDefaultTrustAnotherLoopbackAddressIsCappedAnd127001IsNot() {
        start(Map.of("TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "1"));
        try (RawSmtpClient own = greeted();
                RawSmtpClient ownAgain = greeted();
                RawSmtpClient other = greetedFrom("127.0.0.2");
                RawSmtpClient otherAgain = tern.connectFrom("127.0.0.2", tern.mx())) {
            assertThat(ownAgain.command("NOOP").code()).isEqualTo(250);
            assertThat(otherAgain.reply().last()).startsWith("421 4.7.0");
            otherAgain.expectEof();
        }
    }

    @Test
    void acceptsManyConnectionsFromATrustedAddress() {
        start(Map.of("TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "1"));
        try (RawSmtpClient first = greeted();
                RawSmtpClient second = greeted()) {
            assertThat(second.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void closesAnIdleSession() {
        start(Map.of("TERN_TIMEOUTS_COMMAND", "1s"));
        try (RawSmtpClient c = greeted()) {
            long start = System.nanoTime();
            assertThat(c.reply().last()).startsWith("421 4.4.2");
            c.expectEof();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void abandonsATlsHandshakeThatStallsPastTheHandshakeTimeout() {
        start(Map.of("TERN_TIMEOUTS_TLS_HANDSHAKE", "1s"));
        // Implicit TLS: the client connects and never sends its ClientHello.
        try (RawSmtpClient c = tern.connect(tern.smtps())) {
            long start = System.nanoTime();
            c.readToEof();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        // STARTTLS: the client is told to begin and does not.
        try (RawSmtpClient c = greeted()) {
            c.ehlo("client.test");
            assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
            long start = System.nanoTime();
            c.readToEof();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    /**
     * A turn may last the data-block timeout plus what its octets earn at the minimum rate (Postfix's
     * smtpd_min_data_rate): five octets a second against 1000 earn next to nothing, so the sender is
     * dropped once the timeout (3 s here) has passed, although it never went quiet for that long.
     */
    @Test
    void dropsASenderBelowTheMinimumDataRate() {
        start(Map.of("TERN_TIMEOUTS_MIN_DATA_RATE", "1000", "TERN_TIMEOUTS_DATA_BLOCK", "3s"));
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            AtomicInteger sent = new AtomicInteger();
            long start = System.nanoTime();
            pacer.scheduleAtFixedRate(
                    // A write failing once the server has closed ends the schedule.
                    () -> c.send(sent.incrementAndGet() % 50 == 0 ? "\r\n" : "x"), 0, 200, TimeUnit.MILLISECONDS);
            CompletableFuture<RawSmtpClient.Reply> reply =
                    CompletableFuture.supplyAsync(() -> c.reply(Duration.ofSeconds(25)));
            await().atMost(Duration.ofSeconds(12)).until(reply::isDone);
            assertThat(reply.join().last()).startsWith("421 4.4.2");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(2900));
            assertThat(sent.get()).isGreaterThan(10);
        } finally {
            pacer.shutdownNow();
        }
        assertThat(tern.storedContents()).isEmpty();
    }

    /**
     * RFC 5321 4.5.3.2.6 asks a server to wait minutes for the next block of data: a sender that stalls for
     * twelve seconds in the middle of a small message (a retransmission on a lossy link, a slow filter) is
     * waited for, although twelve seconds at the minimum rate would have been 12 KiB.
     */
    @Test
    void waitsForASenderThatPausesInTheMiddleOfAMessage() {
        start(Map.of());
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: slow\r\n\r\nfirst part\r\n");
            long start = System.nanoTime();
            await().pollDelay(Duration.ofSeconds(12))
                    .atMost(Duration.ofSeconds(13))
                    .until(() -> System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(12));
            c.send("second part\r\n.\r\n");
            assertThat(c.reply().last()).as("no 421 during the pause").startsWith("250 2.0.0");
        }
        assertThat(tern.storedContents()).singleElement().asString().endsWith("first part\r\nsecond part\r\n");
    }

    @Test
    void refusesALoopingMessage() {
        start(Map.of());
        String received = "Received: from a.test by b.test; Sun, 22 Nov 2026 10:00:00 +0000\r\n";
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send(received.repeat(49) + "Subject: 49 hops\r\n\r\nok\r\n.\r\n");
            assertThat(c.reply().last()).as("49 hops plus ours is 50").startsWith("250 2.0.0");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send(received.repeat(50) + "Subject: loop\r\n\r\nloop\r\n.\r\n");
            // RFC 5321 6.3.
            assertThat(c.reply().last()).startsWith("554 5.4.6");
        }
        assertThat(tern.storedContents()).singleElement().asString().contains("Subject: 49 hops");
    }

    @ParameterizedTest(name = "{0}, a {1}-octet line, limit {2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                // listener | text octets | max-submission-line-length | reply, which names the listener's bound
                "mx         | 5000        | default | 550 5.6.0 Message has a line longer than 1000 octets", // RFC 5321
                "submission | 5000        | default | 250 2.0.0", // mail programs write long lines
                "smtps      | 5000        | default | 250 2.0.0",
                "smtps      | 5000        | 4000    | 550 5.6.0 Message has a line longer than 4000 octets",
                "submission | 3998        | 4000    | 250 2.0.0", // the bound counts the CRLF
                "submission | 3999        | 4000    | 550 5.6.0 Message has a line longer than 4000 octets",
                "submission | 70000       | default | 550 5.6.0 Message has a line longer than 65536 octets",
            })
    void takesLongTextLinesOnSubmissionListenersUpToTheirBound(
            String listener, int octets, String limit, String reply) {
        tern = TernFixture.start(
                dataDir, limit.equals("default") ? Map.of() : Map.of("TERN_LIMITS_MAX_SUBMISSION_LINE_LENGTH", limit));
        try (RawSmtpClient c = listener.equals("mx") ? inTransaction() : submitting(listener)) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: long line\r\n\r\n" + "x".repeat(octets) + "\r\n.\r\n");
            assertThat(c.reply().last()).startsWith(reply);
        }
        if (reply.startsWith("250")) {
            // Stored as received: only the relay folds, on its way out.
            assertThat(tern.storedContents()).singleElement().asString().contains("\r\n" + "x".repeat(octets) + "\r\n");
        } else {
            assertThat(tern.storedContents()).isEmpty();
        }
    }

    /** Authenticated on a submission listener, in a transaction. */
    private RawSmtpClient submitting(String listener) {
        RawSmtpClient c = tern.authenticated(listener.equals("smtps") ? tern.smtps() : tern.submission());
        assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
        return c;
    }

    private RawSmtpClient greeted() {
        return greeted(tern.connect(tern.mx()));
    }

    private RawSmtpClient greetedFrom(String localAddress) {
        return greeted(tern.connectFrom(localAddress, tern.mx()));
    }

    private static RawSmtpClient greeted(RawSmtpClient c) {
        assertThat(c.reply().code()).isEqualTo(220);
        return c;
    }

    private RawSmtpClient inTransaction() {
        RawSmtpClient c = greeted();
        c.ehlo("client.test");
        assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
        return c;
    }
}
