package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.server.sink.Fault;
import dev.tern.server.sink.Sink;
import dev.tern.server.sink.SinkCounts;
import dev.tern.server.sink.SinkOptions;
import dev.tern.smtp.SmtpReplies;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern sink} over real sockets: mail accepted, counted and stored; every fault as a client sees
 * it; PIPELINING, BDAT and STARTTLS. Angus Mail is the independent client where whole messages are
 * sent, the byte-exact client where replies are counted one by one.
 */
class SinkIT {
    private static final String MESSAGE = "Subject: sink\r\n\r\nline one\r\nline two\r\n";

    @TempDir
    Path dir;

    private final List<Sink> sinks = new ArrayList<>();

    @AfterEach
    void closeSinks() {
        sinks.forEach(Sink::close);
    }

    private InetSocketAddress start(UnaryOperator<SinkOptions.Builder> options) throws Exception {
        return start(new Sink(options.apply(SinkOptions.builder().seed(42L)).build()));
    }

    private InetSocketAddress start(Sink sink) throws Exception {
        sinks.add(sink);
        int port = sink.start(InetAddress.getLoopbackAddress(), 0);
        return new InetSocketAddress(TernFixture.HOST, port);
    }

    /** Connected, greeted, EHLO said. */
    private static RawSmtpClient greeted(InetSocketAddress address) {
        RawSmtpClient c = RawSmtpClient.connect(address);
        assertThat(c.reply().code()).isEqualTo(220);
        c.ehlo("client.test");
        return c;
    }

    /** MAIL and one RCPT, both accepted. */
    private static void envelope(RawSmtpClient c) {
        assertThat(c.command("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<b@sink.test>").code()).isEqualTo(250);
    }

    private Sink sink() {
        return sinks.get(sinks.size() - 1);
    }

    @Test
    void acceptsAndCountsMail() throws Exception {
        InetSocketAddress address = start(o -> o);
        Session session = AngusClient.plain();
        MimeMessage message = AngusClient.message(session, "a@client.test", "b@sink.test", "hello", "body");
        message.addRecipients(jakarta.mail.Message.RecipientType.CC, "c@sink.test");

        String last = AngusClient.send(session, address, null, null, message);

        assertThat(last).startsWith("250 2.0.0 Ok: queued as 1");
        SinkCounts counts = sink().counts();
        assertThat(counts.connections()).isEqualTo(1);
        assertThat(counts.messages()).isEqualTo(1);
        assertThat(counts.recipients()).isEqualTo(2);
        assertThat(counts.bytes()).isGreaterThan(100);
        assertThat(counts.faults().values()).allMatch(n -> n == 0);
    }

    @Test
    void storesEachMessageInTheMaildirWithLfLineEnds() throws Exception {
        Path maildir = dir.resolve("sink");
        InetSocketAddress address = start(o -> o.maildir(maildir));

        try (RawSmtpClient c = greeted(address)) {
            for (int i = 0; i < 3; i++) {
                envelope(c);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.command(MESSAGE + "..dot\r\n.").last()).startsWith("250 2.0.0");
            }
        }

        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            List<Path> stored = files.toList();
            assertThat(stored).hasSize(3);
            assertThat(Files.readString(stored.get(0)))
                    .isEqualTo("Return-Path: <a@client.test>\nSubject: sink\n\nline one\nline two\n.dot\n");
        }
        try (Stream<Path> tmp = Files.list(maildir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
        assertThat(sink().counts().messages()).isEqualTo(3);
    }

    @Test
    void refusesRecipientsInTheAskedSharesTheSameWayForTheSameSeed() throws Exception {
        List<Integer> first = rcptCodes(start(o -> o.rcptTempfail(20).rcptReject(10)));
        SinkCounts counts = sink().counts();
        List<Integer> second = rcptCodes(start(o -> o.rcptTempfail(20).rcptReject(10)));

        long tempfails = first.stream().filter(code -> code == 451).count();
        long rejects = first.stream().filter(code -> code == 550).count();
        assertThat(tempfails).isBetween(28L, 52L); // 20% of 200 = 40
        assertThat(rejects).isBetween(12L, 28L); // 10% of 200 = 20
        assertThat(first).containsOnly(250, 451, 550);
        assertThat(counts.fault(Fault.RCPT_TEMPFAIL)).isEqualTo(tempfails);
        assertThat(counts.fault(Fault.RCPT_REJECT)).isEqualTo(rejects);
        assertThat(second).isEqualTo(first);
    }

    /** 200 RCPTs in one transaction; the codes in order, each checked for its enhanced status code. */
    private static List<Integer> rcptCodes(InetSocketAddress address) {
        List<Integer> codes = new ArrayList<>();
        try (RawSmtpClient c = greeted(address)) {
            c.command("MAIL FROM:<a@client.test>");
            for (int i = 0; i < 200; i++) {
                RawSmtpClient.Reply reply = c.command("RCPT TO:<r" + i + "@sink.test>");
                switch (reply.code()) {
                    case 451 -> assertThat(reply.last()).startsWith("451 4.3.0 ");
                    case 550 -> assertThat(reply.last()).startsWith("550 5.1.1 ");
                    default -> assertThat(reply.last()).startsWith("250 2.1.5 ");
                }
                codes.add(reply.code());
            }
        }
        return codes;
    }

    @Test
    void refusesMessagesAfterTheirEndInTheAskedShares() throws Exception {
        InetSocketAddress address = start(o -> o.dataTempfail(15).dataReject(5));
        int tempfails = 0;
        int rejects = 0;
        try (RawSmtpClient c = greeted(address)) {
            for (int i = 0; i < 200; i++) {
                // Pipelined, as RFC 2920 allows: MAIL, RCPT and DATA in one write.
                c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\n");
                assertThat(c.reply().code()).isEqualTo(250);
                assertThat(c.reply().code()).isEqualTo(250);
                assertThat(c.reply().code()).isEqualTo(354);
                RawSmtpClient.Reply end = c.command(MESSAGE + ".");
                switch (end.code()) {
                    case 451 -> {
                        assertThat(end.last()).startsWith("451 4.3.0 ");
                        tempfails++;
                    }
                    case 554 -> {
                        assertThat(end.last()).startsWith("554 5.6.0 ");
                        rejects++;
                    }
                    default -> assertThat(end.last()).startsWith("250 2.0.0 ");
                }
            }
        }
        assertThat(tempfails).isBetween(20, 40); // 15% of 200 = 30
        assertThat(rejects).isBetween(3, 18); // 5% of 200 = 10
        SinkCounts counts = sink().counts();
        assertThat(counts.messages()).isEqualTo(200 - tempfails - rejects);
        assertThat(counts.fault(Fault.DATA_TEMPFAIL)).isEqualTo(tempfails);
        assertThat(counts.fault(Fault.DATA_REJECT)).isEqualTo(rejects);
    }

    @Test
    void dropsConnectionsWithoutAReplyAfterMailOrInTheMiddleOfTheMessage() throws Exception {
        InetSocketAddress address = start(o -> o.drop(100));
        int afterMail = 0;
        int inMessage = 0;
        for (int i = 0; i < 20; i++) {
            try (RawSmtpClient c = RawSmtpClient.connect(address)) {
                c.reply();
                c.ehlo("client.test");
                c.send("MAIL FROM:<a@client.test>\r\n");
                RawSmtpClient.Reply mail = c.replyOrClose();
                if (mail == null) {
                    afterMail++;
                    continue;
                }
                assertThat(mail.last()).startsWith("250 2.1.0");
                assertThat(c.command("RCPT TO:<b@sink.test>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                c.send("Subject: cut\r\n\r\nhalf a message\r\n");
                assertThat(c.readToEof()).isEmpty();
                inMessage++;
            }
        }
        assertThat(afterMail).isPositive();
        assertThat(inMessage).isPositive();
        assertThat(sink().counts().fault(Fault.DROP)).isEqualTo(20);
        assertThat(sink().counts().messages()).isZero();
    }

    @Test
    void answersTheFirstConnectionsWith421ThenAccepts() throws Exception {
        InetSocketAddress address =
                start(o -> o.greeting421(2).greetingReply(SinkOptions.parseReply("421 4.7.28 rate limited")));

        for (int i = 0; i < 2; i++) {
            try (RawSmtpClient c = RawSmtpClient.connect(address)) {
                assertThat(c.reply().last()).isEqualTo("421 4.7.28 rate limited");
                c.expectEof();
            }
        }
        String last = AngusClient.send(
                AngusClient.plain(),
                address,
                null,
                null,
                AngusClient.message(AngusClient.plain(), "a@client.test", "b@sink.test", "after", "body"));

        assertThat(last).startsWith("250 2.0.0");
        assertThat(sink().counts().fault(Fault.GREETING_421)).isEqualTo(2);
        assertThat(sink().counts().messages()).isEqualTo(1);
    }

    @Test
    void defaultGreetingRefusalIs421TryAgainLater() throws Exception {
        InetSocketAddress address = start(o -> o.greeting421(1));

        try (RawSmtpClient c = RawSmtpClient.connect(address)) {
            assertThat(c.reply().last()).isEqualTo("421 4.7.0 try again later");
            c.expectEof();
        }
    }

    @Test
    void slowsOnlyTheReplyToTheMessagesEnd() throws Exception {
        Duration slow = Duration.ofMillis(1500);
        InetSocketAddress address = start(o -> o.slowFinal(slow));
        try (RawSmtpClient c = greeted(address)) {
            envelope(c);
            assertThat(timed(() -> c.command("DATA")).took()).isLessThan(slow);
            CompletableFuture<Timed<RawSmtpClient.Reply>> end =
                    CompletableFuture.supplyAsync(() -> timed(() -> c.command(MESSAGE + ".")));

            await().atMost(Duration.ofSeconds(10)).until(end::isDone);
            assertThat(end.get().value().last()).startsWith("250 2.0.0");
            assertThat(end.get().took()).isGreaterThanOrEqualTo(slow);
            assertThat(timed(() -> c.command("NOOP")).took()).isLessThan(slow);
        }
    }

    /** A value and how long it took, measured from before the command was sent to its reply. */
    private record Timed<T>(T value, Duration took) {}

    private static <T> Timed<T> timed(java.util.function.Supplier<T> action) {
        long start = System.nanoTime();
        T value = action.get();
        return new Timed<>(value, Duration.ofNanos(System.nanoTime() - start));
    }

    @Test
    void delaysEveryReplyKeepingThemInOrder() throws Exception {
        Duration delay = Duration.ofMillis(200);
        InetSocketAddress address = start(o -> o.delay(delay));
        try (RawSmtpClient c = greeted(address)) {
            c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@sink.test>\r\nRCPT TO:<c@sink.test>\r\nDATA\r\n");
            CompletableFuture<List<String>> replies = CompletableFuture.supplyAsync(() -> List.of(
                    c.reply().last(),
                    c.reply().last(),
                    c.reply().last(),
                    c.reply().last()));

            // Four replies, each after its own delay.
            await().atLeast(delay.multipliedBy(4).minusMillis(100))
                    .atMost(Duration.ofSeconds(10))
                    .until(replies::isDone);
            assertThat(replies.get())
                    .containsExactly(
                            "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>");
        }
    }

    @Test
    void answersPipelinedCommandsInOrder() throws Exception {
        InetSocketAddress address = start(o -> o);
        try (RawSmtpClient c = RawSmtpClient.connect(address)) {
            c.reply();
            assertThat(c.ehlo("client.test")).contains("PIPELINING", "CHUNKING");
            // RFC 2920: a whole transaction and the next MAIL in one write.
            c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).isEqualTo(354);
            c.send(MESSAGE + ".\r\nMAIL FROM:<x@client.test>\r\nRCPT TO:<bad address>\r\nRSET\r\nQUIT\r\n");
            assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).isEqualTo(501);
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().last()).isEqualTo("221 2.0.0 Bye");
            c.expectEof();
        }
        assertThat(sink().counts().messages()).isEqualTo(1);
    }

    @Test
    void receivesMessagesInBdatChunks() throws Exception {
        Path maildir = dir.resolve("sink");
        InetSocketAddress address = start(o -> o.maildir(maildir));
        try (RawSmtpClient c = greeted(address)) {
            envelope(c);
            // RFC 3030: the chunk's octets follow the command at once.
            assertThat(c.send("BDAT 15\r\nSubject: bdat\r\n").reply().last())
                    .isEqualTo("250 2.0.0 Ok: 15 octets received");
            assertThat(c.send("BDAT 6 LAST\r\n\r\nhi\r\n").reply().last()).startsWith("250 2.0.0 Ok: queued as");
            // Outside a transaction the chunk is still read, then refused.
            assertThat(c.send("BDAT 3 LAST\r\nabc").reply().last()).startsWith("503 5.5.1");
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
        assertThat(sink().counts().bytes()).isEqualTo(21);
        try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
            assertThat(Files.readString(files.findFirst().orElseThrow(), StandardCharsets.UTF_8))
                    .isEqualTo("Return-Path: <a@client.test>\nSubject: bdat\n\nhi\n");
        }
    }

    @Test
    void offersStartTlsWithACertificateMadeAtStart() throws Exception {
        InetSocketAddress address = start(o -> o);
        try (RawSmtpClient c = RawSmtpClient.connect(address)) {
            c.reply();
            assertThat(c.ehlo("client.test"))
                    .containsExactly(
                            "PIPELINING",
                            "8BITMIME",
                            "SIZE 26214400",
                            "ENHANCEDSTATUSCODES",
                            "CHUNKING",
                            "SMTPUTF8",
                            "DSN",
                            "STARTTLS");
            assertThat(c.command("STARTTLS").last()).isEqualTo("220 2.0.0 Ready to start TLS");
            c.startTls(TernFixture.trusting(List.of(sink().certificate())));

            assertThat(c.isTls()).isTrue();
            assertThat(c.ehlo("client.test")).doesNotContain("STARTTLS");
            assertThat(c.command("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<b@sink.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.command(MESSAGE + ".").code()).isEqualTo(250);
        }
        assertThat(sink().counts().messages()).isEqualTo(1);
    }

    @Test
    void withoutStartTlsNeitherOffersNorAcceptsIt() throws Exception {
        InetSocketAddress address = start(o -> o.startTls(false));
        try (RawSmtpClient c = RawSmtpClient.connect(address)) {
            c.reply();
            assertThat(c.ehlo("client.test")).doesNotContain("STARTTLS").contains("DSN");
            assertThat(c.command("STARTTLS").last()).isEqualTo(SmtpReplies.TLS_NOT_AVAILABLE.toString());
        }
        assertThat(sink().certificate()).isNull();
    }

    @Test
    void refusesMessagesOverTheSizeLimit() throws Exception {
        InetSocketAddress address = start(o -> o.maxSize(100));
        try (RawSmtpClient c = RawSmtpClient.connect(address)) {
            c.reply();
            assertThat(c.ehlo("client.test")).contains("SIZE 100");
            assertThat(c.command("MAIL FROM:<a@client.test> SIZE=101").last()).startsWith("552 5.3.4");
            envelope(c);
            c.command("DATA");
            assertThat(c.command("Subject: big\r\n\r\n" + "x".repeat(200) + "\r\n.")
                            .last())
                    .startsWith("552 5.3.4");
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
        assertThat(sink().counts().messages()).isZero();
        assertThat(sink().counts().refused()).isEqualTo(1);
    }

    @Test
    void refusesConnectionsOverTheLimit() throws Exception {
        InetSocketAddress address = start(o -> o.maxConnections(1));
        try (RawSmtpClient first = RawSmtpClient.connect(address)) {
            assertThat(first.reply().code()).isEqualTo(220);
            try (RawSmtpClient second = RawSmtpClient.connect(address)) {
                assertThat(second.reply().last()).startsWith("421 4.7.0");
                second.expectEof();
            }
            assertThat(first.command("NOOP").code()).isEqualTo(250);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (RawSmtpClient third = RawSmtpClient.connect(address)) {
                assertThat(third.reply().code()).isEqualTo(220);
            }
        });
    }

    @Test
    void refusesTooLongLines() throws Exception {
        InetSocketAddress address = start(o -> o.maxLineLength(512));
        try (RawSmtpClient c = RawSmtpClient.connect(address)) {
            c.reply();
            assertThat(c.command("NOOP " + "x".repeat(600)).last()).startsWith("500 5.5.2");
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
    }
}
