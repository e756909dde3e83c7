package dev.tern.server.it;

import static dev.tern.server.it.TernFixture.PASSWORD;
import static dev.tern.server.it.TernFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.smtp.queue.QueueId;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient.AUTH_METHOD;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * STARTTLS (RFC 3207) with real handshakes, implicit TLS (RFC 8314), and AUTH (RFC 4954) PLAIN and
 * LOGIN against the real bcrypt users file, through raw sockets, Apache Commons Net and Angus Mail.
 */
class TlsAndAuthIT {
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

    @Test
    void startTlsOffersAuthAndResetsTheSession() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            assertThat(c.ehlo("client.test")).contains("STARTTLS").noneMatch(k -> k.startsWith("AUTH"));
            assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
            c.startTls(tern.clientTls());
            // RFC 3207 4.2: the client knows nothing from before TLS, so it must greet again.
            assertThat(c.command("MAIL FROM:<a@remote.test>").last()).startsWith("503 5.5.1");
            assertThat(c.ehlo("client.test")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(c.command("STARTTLS").last()).startsWith("503 5.5.1");
        }
    }

    @Test
    void takesRequireTlsOnlyAfterStartTls() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            // RFC 8689 4: offered, and taken, only inside TLS.
            assertThat(c.ehlo("client.test")).contains("STARTTLS").doesNotContain("REQUIRETLS");
            assertThat(c.command("MAIL FROM:<a@remote.test> REQUIRETLS").last()).startsWith("530 5.7.10");
            assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
            c.startTls(tern.clientTls());
            assertThat(c.ehlo("client.test")).contains("REQUIRETLS");
            assertThat(c.command("MAIL FROM:<a@remote.test> REQUIRETLS REQUIRETLS")
                            .last())
                    .startsWith("501 5.5.4");
            assertThat(c.command("MAIL FROM:<a@remote.test> REQUIRETLS").last()).startsWith("250");
            assertThat(c.command("RCPT TO:<friend@remote.test>").last()).startsWith("250");
            assertThat(c.command("DATA").last()).startsWith("354");
            String queued =
                    c.command("Subject: secret\r\n\r\nfor TLS only\r\n.").last();
            assertThat(queued).startsWith("250 2.0.0 Ok: queued as ");
            String id = queued.substring("250 2.0.0 Ok: queued as ".length()).strip();
            var stored = tern.server().spool().find(new QueueId(id)).orElseThrow();
            assertThat(stored.envelope().parameters().requireTls()).isTrue();
        }
    }

    @Test
    void closesWhenPlaintextIsPipelinedBehindStartTls() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.ehlo("client.test");
            // CVE-2011-0411: NOOP must never be answered, neither in plaintext nor inside TLS.
            assertThat(c.send("STARTTLS\r\nNOOP\r\n").reply().last()).startsWith("421 4.7.0");
            c.expectEof();
        }
    }

    @Test
    void neverAnswersPlaintextSentAfterThe220() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.ehlo("client.test");
            assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
            // Sent after the 220: the server now reads TLS records, so this is a broken handshake.
            String rest = c.send("NOOP\r\n").readToEof();
            assertThat(rest).doesNotContain("250");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = AUTH_METHOD.class,
            names = {"PLAIN", "LOGIN"})
    void authenticatesWithCommonsNetAfterStartTls(AUTH_METHOD method) throws Exception {
        AuthenticatingSMTPClient client = new AuthenticatingSMTPClient(false, tern.clientTls());
        client.setEndpointCheckingEnabled(true);
        client.setDefaultTimeout(10_000);
        client.connect(TernFixture.HOST, tern.submission().getPort());
        try {
            client.setSoTimeout(10_000);
            assertThat(client.getReplyCode()).isEqualTo(220);
            assertThat(client.ehlo("client.test")).isEqualTo(250);
            assertThat(client.execTLS()).isTrue();
            assertThat(client.ehlo("client.test")).isEqualTo(250);
            assertThat(client.getReplyString()).contains("AUTH PLAIN LOGIN");

            assertThat(client.auth(method, USER, "wrong password")).isFalse();
            assertThat(client.getReplyString()).startsWith("535 5.7.8");
            assertThat(client.auth(method, "nobody", PASSWORD)).isFalse();
            assertThat(client.getReplyString()).startsWith("535 5.7.8");
            assertThat(client.auth(method, USER, PASSWORD)).isTrue();
            assertThat(client.getReplyString()).startsWith("235 2.7.0");
            assertThat(client.auth(method, USER, PASSWORD)).isFalse();
            assertThat(client.getReplyString()).startsWith("503 5.5.1");
            assertThat(client.logout()).isTrue();
        } finally {
            client.disconnect();
        }
    }

    @Test
    void submitsWithAngusMailOverStartTlsAndAuth() throws Exception {
        Session session = AngusClient.startTls(tern.clientTls());
        var message = AngusClient.message(session, "alice@local.test", "friend@remote.test", "Submitted", "hi\r\n");
        String reply = AngusClient.send(session, tern.submission(), USER, PASSWORD, message);
        assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
        String id = reply.substring("250 2.0.0 Ok: queued as ".length()).strip();
        var stored = tern.server().spool().pending().stream()
                .filter(m -> m.id().value().equals(id))
                .findFirst()
                .orElseThrow();
        assertThat(tern.content(stored)).contains("with ESMTPSA (TLSv1.").contains("\r\nSubject: Submitted\r\n");
    }

    @Test
    void angusMailReportsWrongCredentials() throws Exception {
        Session session = AngusClient.startTls(tern.clientTls());
        var message = AngusClient.message(session, "alice@local.test", "friend@remote.test", "x", "x\r\n");
        assertThatThrownBy(() -> AngusClient.send(session, tern.submission(), USER, "nope", message))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("535 5.7.8");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                        | listener   | TLS first | commands (\\n between)                          | last reply
            AUTH before TLS on MX         | mx         | false     | AUTH PLAIN                                       | 538 5.7.11
            AUTH before TLS on submission | submission | false     | AUTH PLAIN                                       | 538 5.7.11
            MAIL before AUTH, submission  | submission | true      | MAIL FROM:<alice@local.test>                     | 530 5.7.0
            cancel with a star            | submission | true      | AUTH LOGIN\\n*                                   | 501 5.7.0
            cancel PLAIN with a star      | submission | true      | AUTH PLAIN\\n*                                   | 501 5.7.0
            bad base64 initial response   | submission | true      | AUTH PLAIN %%%notbase64                          | 501 5.5.2
            bad base64 continuation       | submission | true      | AUTH LOGIN\\n%%%                                 | 501 5.5.2
            # RFC 4954 4: within the exchange every line is a response, STARTTLS too; it ends the exchange, one reply
            STARTTLS as a LOGIN response  | submission | true      | AUTH LOGIN\\nSTARTTLS                           | 501 5.5.2
            STARTTLS as a PLAIN response  | submission | true      | AUTH PLAIN\\nStartTLS\\nNOOP                     | 250 2.0.0
            unknown mechanism             | submission | true      | AUTH CRAM-MD5                                    | 504 5.5.4
            # PLA\u00c4\u00b1N is PLA\u0131N in UTF-8, one char per octet: the dotless i's capital is I, but not in US-ASCII
            PLAIN with a dotless i        | submission | true      | AUTH PLA\u00c4\u00b1N #plain                   | 504 5.5.4
            AUTH inside a transaction     | mx         | true      | MAIL FROM:<a@remote.test>\\nAUTH PLAIN #plain    | 503 5.5.1
            wrong password                | submission | true      | AUTH PLAIN #wrong                                | 535 5.7.8
            unknown user                  | submission | true      | AUTH PLAIN #nobody                               | 535 5.7.8
            second AUTH                   | submission | true      | AUTH PLAIN #plain\\nAUTH PLAIN #plain            | 503 5.5.1
            """)
    void answersAuthenticationMistakes(String what, String listener, boolean tls, String commands, String expected) {
        try (RawSmtpClient c = tern.connect(tern.server().address(listener))) {
            c.reply();
            c.ehlo("client.test");
            if (tls) {
                upgrade(c);
            }
            RawSmtpClient.Reply last = null;
            for (String command : commands.split("\\\\n")) {
                last = c.command(command.replace("#plain", plain(USER, PASSWORD))
                        .replace("#wrong", plain(USER, "wrong"))
                        .replace("#nobody", plain("nobody", PASSWORD)));
            }
            assertThat(last.last()).as(what).startsWith(expected);
        }
    }

    @Test
    void submissionAcceptsMailOnlyAfterAuth() {
        try (RawSmtpClient c = tern.connect(tern.submission())) {
            c.reply();
            c.ehlo("client.test");
            upgrade(c);
            assertThat(c.command("MAIL FROM:<alice@local.test>").last()).startsWith("530 5.7.0");
            assertThat(c.command("AUTH LOGIN").last()).isEqualTo("334 " + b64("Username:"));
            assertThat(c.command(b64(USER)).last()).isEqualTo("334 " + b64("Password:"));
            assertThat(c.command(b64(PASSWORD)).last()).startsWith("235 2.7.0");
            assertThat(c.command("MAIL FROM:<alice@local.test>").last()).startsWith("250 2.1.0");
            assertThat(c.command("RCPT TO:<friend@remote.test>").last()).startsWith("250 2.1.5");
        }
    }

    @Test
    void submissionAddsTheMessageIdDateAndFromAClientLeftOut() {
        try (RawSmtpClient c = tern.connect(tern.submission())) {
            c.reply();
            c.ehlo("client.test");
            upgrade(c);
            assertThat(c.command("AUTH PLAIN " + plain(USER, PASSWORD)).last()).startsWith("235");
            assertThat(c.command("MAIL FROM:<alice@local.test>").last()).startsWith("250");
            assertThat(c.command("RCPT TO:<friend@remote.test>").last()).startsWith("250");
            assertThat(c.command("DATA").last()).startsWith("354");
            assertThat(c.command("Subject: bare submission\r\n\r\nno id, no date\r\n.")
                            .last())
                    .startsWith("250");
        }
        // RFC 6409 8.1 to 8.3: added below our Received field, above the client's own header; the originator is
        // the envelope's sender.
        assertThat(tern.storedContents())
                .filteredOn(m -> m.contains("Subject: bare submission"))
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .containsPattern("\r\nMessage-ID: <[^>]+@" + TernFixture.HOSTNAME + ">\r\n")
                        .containsPattern("\r\nDate: [A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} ")
                        .contains("\r\nFrom: <alice@local.test>\r\nSubject: bare submission")
                        .containsOnlyOnce("Message-ID:"));
    }

    @Test
    void mxLeavesTheHeaderAsTheClientWroteIt() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.ehlo("client.test");
            assertThat(c.command("MAIL FROM:<someone@remote.test>").last()).startsWith("250");
            assertThat(c.command("RCPT TO:<alice@local.test>").last()).startsWith("250");
            assertThat(c.command("DATA").last()).startsWith("354");
            assertThat(c.command("Subject: bare relay\r\n\r\nno id, no date\r\n.")
                            .last())
                    .startsWith("250");
        }
        assertThat(tern.storedContents())
                .filteredOn(m -> m.contains("Subject: bare relay"))
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .doesNotContain("Message-ID:")
                        .doesNotContain("\r\nDate:")
                        .doesNotContain("\r\nFrom:"));
    }

    @Test
    void takesAuthResponsesUpToTheirLimitOnly() {
        try (RawSmtpClient c = tern.connect(tern.submission())) {
            c.reply();
            c.ehlo("client.test");
            upgrade(c);
            // RFC 4954 4: a response line may be 12,288 octets (here 9,000 of base64, far past 512).
            assertThat(c.command("AUTH PLAIN").last()).startsWith("334");
            assertThat(c.command(plain("a".repeat(6_700), "wrong")).last()).startsWith("535 5.7.8");
            // Past 12,288 octets the exchange ends with 500 5.5.6, and commands are back to 512 octets.
            assertThat(c.command("AUTH PLAIN").last()).startsWith("334");
            assertThat(c.command("x".repeat(12_300)).last()).startsWith("500 5.5.6");
            assertThat(c.command("NOOP " + "x".repeat(600)).last()).startsWith("500 5.5.2");
            assertThat(c.command("AUTH PLAIN " + plain(USER, PASSWORD)).last()).startsWith("235 2.7.0");
        }
    }

    @Test
    void answersABareLineFeedInAnAuthResponseAtOnce() {
        try (RawSmtpClient c = tern.connect(tern.submission())) {
            c.reply();
            c.ehlo("client.test");
            upgrade(c);
            assertThat(c.command("AUTH LOGIN").last()).isEqualTo("334 " + b64("Username:"));
            // No CRLF follows: the reply must not wait for one. The exchange ends with it.
            assertThat(c.send(b64(USER) + "\n").reply().last()).startsWith("500 5.5.2");
            assertThat(c.command("NOOP").last()).startsWith("250 2.0.0");
            assertThat(c.command("AUTH LOGIN").last()).isEqualTo("334 " + b64("Username:"));
            assertThat(c.send(b64(USER) + "\rX").reply().last()).startsWith("500 5.5.2");
            assertThat(c.send("\r\n")
                            .command("AUTH PLAIN " + plain(USER, PASSWORD))
                            .last())
                    .startsWith("235 2.7.0");
        }
    }

    @Test
    void implicitTlsListenerSpeaksTlsFromTheFirstByte() {
        try (RawSmtpClient c = tern.connectSmtps()) {
            assertThat(c.isTls()).isTrue();
            assertThat(c.reply().last()).startsWith("220 " + TernFixture.HOSTNAME);
            List<String> keywords = c.ehlo("client.test");
            assertThat(keywords).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(c.command("MAIL FROM:<alice@local.test>").last()).startsWith("530 5.7.0");
            assertThat(c.command("AUTH PLAIN " + plain(USER, PASSWORD)).last()).startsWith("235 2.7.0");
            assertThat(c.command("MAIL FROM:<alice@local.test>").last()).startsWith("250 2.1.0");
            assertThat(c.command("RCPT TO:<friend@remote.test>").last()).startsWith("250 2.1.5");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: implicit\r\n\r\nover 465\r\n.\r\n")
                            .reply()
                            .last())
                    .startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(tern.storedContents()).anySatisfy(content -> assertThat(content)
                .contains("with ESMTPSA (TLSv1.")
                .endsWith("Subject: implicit\r\n\r\nover 465\r\n"));
    }

    /** STARTTLS on a connection that has sent EHLO, then EHLO again inside TLS. */
    private static void upgrade(RawSmtpClient c) {
        assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
        c.startTls(tern.clientTls());
        c.ehlo("client.test");
    }

    /** RFC 4616: authorization identity (empty), authentication identity, password, NUL-separated. */
    static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
