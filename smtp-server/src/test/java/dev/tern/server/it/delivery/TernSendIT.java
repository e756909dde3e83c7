package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.cli.TernCommand;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end as a user does it: {@code tern send} submits through Tern's submission port with STARTTLS
 * and AUTH (RFC 6409, RFC 3207, RFC 4954), and Tern delivers to the remote domain's mail exchanger
 * found in DNS or to a local Maildir.
 */
class TernSendIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void sendsThroughSubmissionToARemoteExchangerAndALocalMailbox() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir.resolve("tern"))) {
            ScriptedSmtpPeer peer = tern.peer();
            tern.host("mx.remote.test", "127.0.0.2", peer);
            tern.dns().mx("remote.test", 10, "mx.remote.test");
            Path password = DeliveryFixture.passwordFile(dataDir, "password", DeliveryFixture.PASSWORD);

            Run remote = send(tern, password, "someone@remote.test", "hi");
            Run local = send(tern, password, "carol@" + DeliveryFixture.LOCAL, "hello carol");

            assertThat(remote.exit()).as("tern send: %s", remote).isZero();
            assertThat(local.exit()).as("tern send: %s", local).isZero();
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            ScriptedSmtpPeer.Received received = peer.messages().get(0);
            assertThat(received.mailFrom()).startsWith("FROM:<" + DeliveryFixture.SENDER + ">");
            assertThat(received.rcptTo()).containsExactly("TO:<someone@remote.test>");
            assertThat(new String(received.content(), StandardCharsets.UTF_8))
                    .contains("Subject: hi\r\n")
                    .contains("Message-ID: ")
                    .contains("Date: ")
                    .contains("body text from standard input");
            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox("carol@" + DeliveryFixture.LOCAL))
                    .hasSize(1));
            assertThat(tern.mailbox("carol@" + DeliveryFixture.LOCAL).get(0))
                    .contains("Delivered-To: carol@" + DeliveryFixture.LOCAL + "\n")
                    .contains("Subject: hello carol\n");
        }
    }

    @Test
    void refusesToSendWithAWrongPassword() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir.resolve("tern"))) {
            Path password = DeliveryFixture.passwordFile(dataDir, "password", "wrong horse");

            Run run = send(tern, password, "carol@" + DeliveryFixture.LOCAL, "denied");

            assertThat(run.exit()).as("tern send: %s", run).isEqualTo(1);
            // RFC 4954 6: 535 5.7.8, reported to the user.
            assertThat(run.err()).contains("535");
            assertThat(tern.server().spool().size()).isZero();
            assertThat(tern.allMailboxes()).isEmpty();
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run send(DeliveryFixture tern, Path password, String to, String subject) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var stdin = new ByteArrayInputStream("body text from standard input\n".getBytes(StandardCharsets.UTF_8));
        var submission = tern.server().address("submission");
        int exit = TernCommand.commandLine(Map.of(), stdin)
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(
                        "send",
                        "--server",
                        "127.0.0.1:" + submission.getPort(),
                        "--starttls",
                        "--insecure",
                        // The issue's scenario: STARTTLS, then AUTH LOGIN (RFC 4954).
                        "--auth",
                        "LOGIN",
                        "--user",
                        DeliveryFixture.USER,
                        "--password-file",
                        password.toString(),
                        "--from",
                        DeliveryFixture.SENDER,
                        "--to",
                        to,
                        "--subject",
                        subject);
        return new Run(exit, out.toString(), err.toString());
    }
}
