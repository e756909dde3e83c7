package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.testing.LogLines;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code tern send} against a scripted SMTP peer on loopback. */
class SendCommandTest {
    @TempDir
    Path dir;

    private final ScriptedSmtpPeer peer = ScriptedSmtpPeer.start();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void sendsAMessageWithAnAttachmentAsMultipartMixed() throws Exception {
        Path body = Files.writeString(dir.resolve("body.txt"), "Hello,\nthe report is attached.\n.\n");
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }
        Path attachment = Files.write(dir.resolve("report.pdf"), pdf);

        int code = run(
                "",
                "--from",
                "alice@origin.test",
                "--to",
                "bob@dest.test",
                "--to",
                "carol@dest.test",
                "--subject",
                "Grüße aus Köln",
                "--body-file",
                body.toString(),
                "--attach",
                attachment.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("sent to 2 recipient(s)");
        ScriptedSmtpPeer.Received received = peer.messages().get(0);
        assertThat(received.mailFrom()).isEqualTo("FROM:<alice@origin.test>");
        assertThat(received.rcptTo()).containsExactly("TO:<bob@dest.test>", "TO:<carol@dest.test>");

        MimeMessage message = parse(received.content());
        assertThat(message.getSubject()).isEqualTo("Grüße aus Köln");
        assertThat(message.getHeader("Message-ID")[0]).matches("<[^@>]+@origin\\.test>");
        assertThat(message.getSentDate()).isNotNull();
        assertThat(message.getHeader("MIME-Version")[0]).isEqualTo("1.0");
        assertThat(message.getContentType()).startsWith("multipart/mixed");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        MimeBodyPart text = (MimeBodyPart) parts.getBodyPart(0);
        assertThat(text.getContentType()).startsWith("text/plain");
        assertThat((String) text.getContent()).isEqualTo("Hello,\r\nthe report is attached.\r\n.\r\n");
        MimeBodyPart file = (MimeBodyPart) parts.getBodyPart(1);
        assertThat(file.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(file.getFileName()).isEqualTo("report.pdf");
        assertThat(file.getContentType()).startsWith("application/pdf");
        assertThat(file.getEncoding()).isEqualTo("base64");
        assertThat(file.getInputStream().readAllBytes()).isEqualTo(pdf);
    }

    @Test
    void readsTheBodyFromStandardInput() throws Exception {
        int code = run("plain body\n", "--from", "alice@origin.test", "--to", "bob@dest.test");

        assertThat(code).as(err.toString()).isZero();
        MimeMessage message = parse(peer.messages().get(0).content());
        assertThat(message.getContentType()).startsWith("text/plain");
        assertThat((String) message.getContent()).isEqualTo("plain body\r\n");
    }

    /** The command's output is its result: the client's line for the attempt (a server's log line) stays out. */
    @Test
    void logsNothingOfTheAttemptBesideItsResult() throws Exception {
        try (LogLines log = LogLines.of(SmtpClient.class)) {
            int code = run("hi\n", "--from", "alice@origin.test", "--to", "bob@dest.test");

            assertThat(code).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("sent to 1 recipient(s): 250");
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void printsTheReplyForEachRefusedRecipientAndExitsOne() throws Exception {
        peer.rcptReply("nobody@dest.test", "550 5.1.1 no such user here");

        int code = run("hi\n", "--from", "alice@origin.test", "--to", "bob@dest.test", "--to", "nobody@dest.test");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("<nobody@dest.test>: 550 5.1.1 no such user here");
        assertThat(peer.messages()).singleElement().satisfies(m -> assertThat(m.rcptTo())
                .containsExactly("TO:<bob@dest.test>"));
    }

    @Test
    void authenticatesOverStartTlsWithInsecure() throws Exception {
        peer.extensions("STARTTLS", "AUTH LOGIN").credentials("alice", "s3cret");
        Path password = Files.writeString(dir.resolve("pw"), "s3cret\n");

        int code = run(
                "hi\n",
                "--starttls",
                "--insecure",
                "--user",
                "alice",
                "--password-file",
                password.toString(),
                "--from",
                "alice@origin.test",
                "--to",
                "bob@dest.test");

        assertThat(code).as(err.toString()).isZero();
        assertThat(peer.sessions().get(0).tls()).isTrue();
        assertThat(peer.sessions().get(0).authenticatedUser()).isEqualTo("alice (LOGIN)");
    }

    @Test
    void refusesAnUntrustedCertificateWithoutInsecure() throws Exception {
        peer.extensions("STARTTLS");

        int code = run("hi\n", "--starttls", "--from", "alice@origin.test", "--to", "bob@dest.test");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("TLS");
        assertThat(peer.messages()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--server=nohost | --from=a@b.test | --to=c@d.test", // no port
                "--starttls      | --tls           | --to=c@d.test", // two TLS modes
                "--user=a        | --from=a@b.test | --to=c@d.test", // user without password file
                "--user=a        | --password-file=/dev/null | --to=c@d.test", // a user without TLS
                "--subject=x     | --from=not-an-address | --to=c@d.test", // bad sender
                "--subject=x     | --from=a@b.test | --help-me", // unknown option
            })
    void exitsTwoOnUsageErrors(String first, String second, String third) {
        List<String> args = new ArrayList<>(List.of("send", first, second, third));
        if (!first.startsWith("--server")) {
            args.add("--server=127.0.0.1:" + peer.port());
        }
        if (!args.contains("--from=a@b.test") && !second.startsWith("--from")) {
            args.add("--from=a@b.test");
        }

        int code = TernCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));

        assertThat(code).isEqualTo(2);
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void encodesANonAsciiSubjectAsEncodedWordsOfLegalLength() {
        String subject = "Ünïcödé ".repeat(12);

        String encoded = MessageComposer.encodeWords(subject);

        assertThat(encoded.split("\r\n "))
                .allSatisfy(word ->
                        assertThat(word).startsWith("=?UTF-8?B?").endsWith("?=").hasSizeLessThanOrEqualTo(75));
        assertThat(encoded).isASCII();
    }

    @Test
    void writesTheDateWithANumericZoneNeverGmt() {
        ZonedDateTime utc = ZonedDateTime.of(2025, 3, 1, 10, 0, 0, 0, ZoneId.of("GMT"));

        String message = new String(
                MessageComposer.compose("a@b.test", List.of("c@d.test"), null, "hi", List.of(), utc, "b.test"),
                StandardCharsets.UTF_8);

        // RFC 5322 3.3: a numeric zone; "GMT" is the obsolete syntax (4.3).
        assertThat(message).startsWith("Date: Sat, 1 Mar 2025 10:00:00 +0000\r\n");
    }

    private int run(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("send", "--server", "127.0.0.1:" + peer.port()));
        all.addAll(List.of(args));
        CommandLine cli =
                TernCommand.commandLine(Map.of(), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
    }

    private static MimeMessage parse(byte[] content) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(content));
    }
}
