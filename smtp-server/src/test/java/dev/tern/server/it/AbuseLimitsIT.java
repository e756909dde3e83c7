package dev.tern.server.it;

import static dev.tern.server.it.TernFixture.PASSWORD;
import static dev.tern.server.it.TernFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient.AUTH_METHOD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rate and abuse limits crossed over real sockets, from several client addresses at once (each test
 * connects from its own 127.x.y.z). Loopback is not trusted here, except where a test says so: trusted
 * networks are exempt from every limit.
 */
class AbuseLimitsIT {
    /** Only this network is trusted: the clients below are not in it. */
    private static final String TRUSTED = "10.0.0.0/8";

    @TempDir
    Path dataDir;

    private TernFixture tern;

    private TernFixture start(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(overrides);
        env.putIfAbsent("TERN_RELAY_TRUSTED_NETWORKS", TRUSTED);
        tern = TernFixture.start(dataDir, env);
        return tern;
    }

    @AfterEach
    void stop() {
        if (tern != null) {
            tern.close();
        }
    }

    @Test
    void refusesConnectionsPastTheRateFromOneAddressOnly() {
        start(Map.of("TERN_RATE_LIMITS_CONNECTIONS_PER_MINUTE", "3"));
        for (int i = 0; i < 3; i++) {
            try (RawSmtpClient c = RawSmtpClient.connectFrom("127.0.0.2", tern.mx())) {
                assertThat(c.reply().code()).isEqualTo(220);
            }
        }
        try (RawSmtpClient c = RawSmtpClient.connectFrom("127.0.0.2", tern.submission())) {
            // Counted across listeners.
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        try (RawSmtpClient other = RawSmtpClient.connectFrom("127.0.0.3", tern.mx())) {
            assertThat(other.reply().code()).isEqualTo(220);
        }
        assertThat(refusals("connection_rate")).isEqualTo(1);
    }

    /**
     * A deferred MAIL is no error, so it neither trips the tarpit nor counts towards max-errors; but it is a
     * junk command, so a client that keeps asking is closed once past the junk limit and the error limit.
     */
    @Test
    void defersMessagesPastTheRateWithoutEndingTheSessionAtOnce() {
        start(Map.of(
                "TERN_RATE_LIMITS_MESSAGES_PER_MINUTE", "2",
                "TERN_LIMITS_MAX_JUNK_COMMANDS", "30",
                "TERN_LIMITS_MAX_ERRORS", "10",
                "TERN_LIMITS_ERROR_DELAY", "0s"));
        try (RawSmtpClient c = greetedFrom("127.0.0.4")) {
            for (int i = 0; i < 2; i++) {
                assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
                assertThat(c.command("RSET").code()).isEqualTo(250);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("450 4.7.1");
            }
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            // 23 junk commands so far: 7 more are free, then the 10th error after them ends the session.
            for (int i = 0; i < 7 + 10; i++) {
                assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("450 4.7.1");
            }
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        try (RawSmtpClient other = greetedFrom("127.0.0.5")) {
            assertThat(other.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
        }
        assertThat(refusals("message_rate")).isEqualTo(37);
        assertThat(refusals("errors")).isEqualTo(1);
    }

    @Test
    void defersRecipientsPastTheRate() {
        start(Map.of("TERN_RATE_LIMITS_RECIPIENTS_PER_MINUTE", "3"));
        try (RawSmtpClient c = greetedFrom("127.0.0.6")) {
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            // Unknown recipients spend the allowance too: guessing addresses is what it is for.
            assertThat(c.command("RCPT TO:<nobody@elsewhere.test>").last()).startsWith("554 5.7.1");
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<carol@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<dave@local.test>").last()).startsWith("452 4.7.1");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: two\r\n\r\n.\r\n").reply().last()).startsWith("250 2.0.0");
        }
        assertThat(tern.server().spool().pending())
                .singleElement()
                .satisfies(m -> assertThat(m.envelope().recipients()).hasSize(2));
    }

    @Test
    void blocksAuthFromAnAddressAfterTooManyFailuresEvenOnANewConnection() throws Exception {
        start(Map.of("TERN_RATE_LIMITS_AUTH_FAILURES", "3", "TERN_LIMITS_MAX_ERRORS", "20"));
        AuthenticatingSMTPClient first = submissionFrom("127.0.0.7");
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(first.auth(AUTH_METHOD.PLAIN, USER, "guess " + i)).isFalse();
                assertThat(first.getReplyString()).startsWith("535 5.7.8");
            }
            // Even the right password is not tried now.
            assertThat(first.auth(AUTH_METHOD.PLAIN, USER, PASSWORD)).isFalse();
            assertThat(first.getReplyString()).startsWith("454 4.7.0");
        } finally {
            first.disconnect();
        }
        AuthenticatingSMTPClient again = submissionFrom("127.0.0.7");
        try {
            assertThat(again.auth(AUTH_METHOD.LOGIN, USER, PASSWORD)).isFalse();
            assertThat(again.getReplyString()).startsWith("454 4.7.0");
        } finally {
            again.disconnect();
        }
        AuthenticatingSMTPClient elsewhere = submissionFrom("127.0.0.8");
        try {
            assertThat(elsewhere.auth(AUTH_METHOD.PLAIN, USER, PASSWORD)).isTrue();
        } finally {
            elsewhere.disconnect();
        }
        assertThat(refusals("auth_failures")).isEqualTo(2);
    }

    @Test
    void blocksAUserNameAfterFailuresFromManyAddresses() throws Exception {
        start(Map.of("TERN_RATE_LIMITS_AUTH_FAILURES_PER_USER", "3"));
        for (String from : new String[] {"127.0.1.1", "127.0.1.2", "127.0.1.3"}) {
            AuthenticatingSMTPClient c = submissionFrom(from);
            try {
                assertThat(c.auth(AUTH_METHOD.PLAIN, USER, "stuffed")).isFalse();
                assertThat(c.getReplyString()).startsWith("535 5.7.8");
            } finally {
                c.disconnect();
            }
        }
        AuthenticatingSMTPClient fourth = submissionFrom("127.0.1.4");
        try {
            assertThat(fourth.auth(AUTH_METHOD.PLAIN, USER, PASSWORD)).isFalse();
            assertThat(fourth.getReplyString()).startsWith("454 4.7.0");
            // Another name from the same address is judged on its own.
            assertThat(fourth.auth(AUTH_METHOD.PLAIN, "mallory", "x")).isFalse();
            assertThat(fourth.getReplyString()).startsWith("535 5.7.8");
        } finally {
            fourth.disconnect();
        }
        assertThat(refusals("auth_failures_user")).isEqualTo(1);
    }

    @Test
    void refusesTlsHandshakesPastTheRate() {
        start(Map.of("TERN_RATE_LIMITS_TLS_HANDSHAKES_PER_MINUTE", "2"));
        for (int i = 0; i < 2; i++) {
            try (RawSmtpClient c = greetedFrom("127.0.0.9")) {
                assertThat(c.command("STARTTLS").code()).isEqualTo(220);
                c.startTls(tern.clientTls());
            }
        }
        try (RawSmtpClient c = greetedFrom("127.0.0.9")) {
            assertThat(c.command("STARTTLS").last()).startsWith("454 4.7.0");
            // Still a working plaintext session.
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
        // Implicit TLS from another address: two handshakes, then the connection closes before one.
        for (int i = 0; i < 2; i++) {
            try (RawSmtpClient c = smtpsFrom("127.0.0.10")) {
                assertThat(c.reply().code()).isEqualTo(220);
            }
        }
        // The handshake fails: the server closed the connection before answering the ClientHello.
        assertThatThrownBy(() -> smtpsFrom("127.0.0.10").close()).isInstanceOf(UncheckedIOException.class);
        assertThat(refusals("tls_handshake_rate")).isEqualTo(2);
    }

    /**
     * A client that keeps its session open with NOOPs alone: past the junk limit each is an error, the tarpit
     * holds each reply, and the error limit closes the session. Another address is not touched.
     */
    @Test
    void closesASessionKeptOpenWithJunkCommands() {
        start(Map.of(
                "TERN_LIMITS_MAX_JUNK_COMMANDS", "20",
                "TERN_LIMITS_MAX_ERRORS", "4",
                "TERN_LIMITS_ERROR_DELAY_AFTER", "2",
                "TERN_LIMITS_ERROR_DELAY", "300ms"));
        try (RawSmtpClient c = greetedFrom("127.0.0.15")) {
            for (int i = 0; i < 20; i++) {
                assertThat(c.command(i % 2 == 0 ? "NOOP" : "RSET").code()).isEqualTo(250);
            }
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            long start = System.nanoTime();
            assertThat(c.command("NOOP").code()).isEqualTo(250); // the third error: held back
            assertThat(elapsedSince(start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        try (RawSmtpClient other = greetedFrom("127.0.0.16")) {
            assertThat(other.command("NOOP").code()).isEqualTo(250);
        }
        assertThat(refusals("errors")).isEqualTo(1);
    }

    /**
     * Greetings again and again, or recipients past the transaction's limit again and again, keep no session
     * open for ever: past the junk limit, or past the recipient overshoot, each is an error.
     */
    @Test
    void closesASessionKeptOpenWithGreetingsOrRefusedRecipients() {
        start(Map.of(
                "TERN_LIMITS_MAX_JUNK_COMMANDS", "20",
                "TERN_LIMITS_MAX_RECIPIENT_OVERSHOOT", "30",
                "TERN_LIMITS_MAX_ERRORS", "4",
                "TERN_LIMITS_ERROR_DELAY", "0s"));
        try (RawSmtpClient c = greetedFrom("127.0.0.17")) {
            for (int i = 0; i < 20 + 4; i++) {
                assertThat(c.command(i % 2 == 0 ? "HELO client.test" : "EHLO client.test")
                                .code())
                        .isEqualTo(250);
            }
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        try (RawSmtpClient c = greetedFrom("127.0.0.18")) {
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            for (int i = 0; i < 100; i++) {
                assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            }
            for (int i = 0; i < 30 + 4; i++) {
                assertThat(c.command("RCPT TO:<bob@local.test>").last()).startsWith("452 4.5.3");
            }
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        assertThat(refusals("errors")).isEqualTo(2);
        assertThat(tern.storedContents()).isEmpty();
    }

    @Test
    void endsASessionAtTheNextMailAfterItsMessages() {
        start(Map.of("TERN_LIMITS_MAX_MESSAGES_PER_SESSION", "2"));
        try (RawSmtpClient c = greetedFrom("127.0.0.11")) {
            for (int i = 0; i < 2; i++) {
                send(c, "message " + i);
            }
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        assertThat(tern.storedContents()).hasSize(2);
    }

    @Test
    void trustedNetworksAreExempt() {
        start(Map.of(
                "TERN_RELAY_TRUSTED_NETWORKS", "127.0.2.0/24",
                "TERN_LIMITS_MAX_MESSAGES_PER_SESSION", "1",
                "TERN_RATE_LIMITS_CONNECTIONS_PER_MINUTE", "1",
                "TERN_RATE_LIMITS_MESSAGES_PER_MINUTE", "1"));
        for (int i = 0; i < 3; i++) {
            try (RawSmtpClient c = greetedFrom("127.0.2.1")) {
                send(c, "first");
                send(c, "second");
            }
        }
        assertThat(tern.storedContents()).hasSize(6);
    }

    @Test
    void holdsErrorRepliesPastTheSoftLimitThenCloses() {
        start(Map.of(
                "TERN_LIMITS_ERROR_DELAY_AFTER", "2",
                "TERN_LIMITS_ERROR_DELAY", "700ms",
                "TERN_LIMITS_MAX_ERRORS", "5"));
        try (RawSmtpClient c = greetedFrom("127.0.0.12")) {
            long start = System.nanoTime();
            assertThat(c.command("FOO").last()).startsWith("500 5.5.1");
            assertThat(c.command("BAR").last()).startsWith("500 5.5.1");
            assertThat(elapsedSince(start)).isLessThan(Duration.ofMillis(600));
            // The third error is held; the NOOP pipelined behind it is answered after it, in order.
            long held = System.nanoTime();
            c.send("BAZ\r\nNOOP\r\n");
            assertThat(c.reply().last()).startsWith("500 5.5.1");
            assertThat(elapsedSince(held)).isGreaterThanOrEqualTo(Duration.ofMillis(650));
            assertThat(c.reply().last()).startsWith("250 2.0.0");
            assertThat(c.command("QUX").last()).startsWith("500 5.5.1");
            // The fifth is the hard limit: answered at once, then 421 and the end.
            c.send("QUUX\r\n");
            assertThat(c.reply().last()).startsWith("500 5.5.1");
            assertThat(c.reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
        assertThat(refusals("errors")).isEqualTo(1);
    }

    @Test
    void refusesMailWhenTheSpoolIsBelowItsReserve() {
        start(Map.of("TERN_SPOOL_MIN_FREE_SPACE", "1000000GiB"));
        try (RawSmtpClient c = greetedFrom("127.0.0.13")) {
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("452 4.3.1");
        }
        assertThat(tern.storedContents()).isEmpty();
        assertThat(refusals("disk_space")).isEqualTo(1);
    }

    @Test
    void refusesADeclaredSizeThatWouldEatIntoTheReserve() throws IOException {
        long usable = java.nio.file.Files.getFileStore(dataDir).getUsableSpace();
        // Leave the spool 2 GiB above its reserve, whatever this disk holds.
        long reserve = usable - (2L << 30);
        start(Map.of("TERN_SPOOL_MIN_FREE_SPACE", Long.toString(reserve), "TERN_LIMITS_MAX_MESSAGE_SIZE", "8GiB"));
        try (RawSmtpClient c = greetedFrom("127.0.0.14")) {
            assertThat(c.command("MAIL FROM:<a@remote.test> SIZE=" + (4L << 30)).last())
                    .startsWith("452 4.3.1");
            assertThat(c.command("MAIL FROM:<a@remote.test> SIZE=1048576").code())
                    .isEqualTo(250);
        }
    }

    private long refusals(String limit) {
        return (long) tern.refusals(limit);
    }

    private static Duration elapsedSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private RawSmtpClient greetedFrom(String address) {
        RawSmtpClient c = RawSmtpClient.connectFrom(address, tern.mx());
        assertThat(c.reply().code()).isEqualTo(220);
        c.ehlo("client.test");
        return c;
    }

    private RawSmtpClient smtpsFrom(String address) {
        RawSmtpClient c = RawSmtpClient.connectFrom(address, tern.smtps());
        c.startTls(tern.clientTls());
        return c;
    }

    private static void send(RawSmtpClient c, String subject) {
        assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
        assertThat(c.command("DATA").code()).isEqualTo(354);
        assertThat(c.send("Subject: " + subject + "\r\n\r\nbody\r\n.\r\n")
                        .reply()
                        .last())
                .startsWith("250 2.0.0");
    }

    /** Apache Commons Net from {@code address}: greeted, STARTTLS done, EHLO again, ready for AUTH. */
    private AuthenticatingSMTPClient submissionFrom(String address) throws IOException {
        AuthenticatingSMTPClient client = new AuthenticatingSMTPClient(false, tern.clientTls());
        client.setEndpointCheckingEnabled(true);
        client.setDefaultTimeout(10_000);
        client.connect(
                InetAddress.getByName(TernFixture.HOST),
                tern.submission().getPort(),
                InetAddress.getByName(address),
                0);
        client.setSoTimeout(10_000);
        assertThat(client.getReplyCode()).isEqualTo(220);
        assertThat(client.ehlo("client.test")).isEqualTo(250);
        assertThat(client.execTLS()).isTrue();
        assertThat(client.ehlo("client.test")).isEqualTo(250);
        return client;
    }
}
