package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.dkim.DkimAlgorithm;
import dev.tern.server.dkim.DkimKeyRecord;
import dev.tern.server.testing.DkimVerifier;
import dev.tern.server.testing.ExternalTools;
import dev.tern.server.tls.PemFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Tern signs its users' mail before the spool: the copy a mail exchanger or a Maildir gets
 * verifies with dkimpy against the key records of the in-test DNS, a retry carries the same signature, and
 * mail from strangers is passed on unsigned.
 */
class DkimIT {
    private static final String REMOTE = "remote.test";
    private static final Pattern SIGNATURE =
            Pattern.compile("^DKIM-Signature:.*?\\r\\n(?![ \\t])", Pattern.MULTILINE | Pattern.DOTALL);

    @TempDir
    static Path keys;

    static KeyPair rsa;
    static KeyPair ed;
    static Path rsaFile;
    static Path edFile;

    @BeforeAll
    static void makeKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        // The RSA key in OpenSSL's traditional form (BEGIN RSA PRIVATE KEY), the Ed25519 key in PKCS#8.
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            writer.writeObject(rsa.getPrivate());
        }
        assertThat(traditional.toString()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        rsaFile = Files.writeString(keys.resolve("r1.pem"), traditional.toString());
        edFile = Files.writeString(keys.resolve("e1.pem"), PemFiles.toPkcs8Pem(ed.getPrivate()));
    }

    /** Tern with both keys for the local domain (dual signing), set as an operator would, by TERN_DKIM_DOMAINS. */
    private static DeliveryFixture start(Path dataDir, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(
                "TERN_DKIM_DOMAINS",
                DeliveryFixture.LOCAL + "=e1:ed25519-sha256:" + edFile + " r1:rsa-sha256:" + rsaFile);
        DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), all);
        publish(tern, "e1", DkimAlgorithm.ED25519_SHA256, ed);
        publish(tern, "r1", DkimAlgorithm.RSA_SHA256, rsa);
        return tern;
    }

    private static void publish(
            DeliveryFixture tern, String selector, DkimAlgorithm algorithm, KeyPair pair, String domain) {
        tern.dns()
                .txt(
                        DkimKeyRecord.name(selector, domain),
                        DkimKeyRecord.strings(DkimKeyRecord.text(algorithm, pair.getPublic())));
    }

    private static void publish(DeliveryFixture tern, String selector, DkimAlgorithm algorithm, KeyPair pair) {
        tern.dns()
                .txt(
                        DkimKeyRecord.name(selector, DeliveryFixture.LOCAL),
                        DkimKeyRecord.strings(DkimKeyRecord.text(algorithm, pair.getPublic())));
    }

    private static String message(String to) {
        return "From: Alice <" + DeliveryFixture.SENDER + ">\r\n"
                + "To: <" + to + ">\r\n"
                + "Subject: signed\r\n"
                + "\r\n"
                + "Grüße,  with   spaces \r\n"
                + "\r\n\r\n";
    }

    private static List<String> signatures(String message) {
        Matcher m = SIGNATURE.matcher(message);
        return m.results().map(r -> r.group()).toList();
    }

    private static void assertVerifies(Path dir, DeliveryFixture tern, byte[] delivered) throws Exception {
        ExternalTools.Run run = DkimVerifier.verify(dir, delivered, tern.dns().port());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("signatures 2")
                .contains("pass ed25519-sha256 " + DeliveryFixture.LOCAL + " e1")
                .contains("pass rsa-sha256 " + DeliveryFixture.LOCAL + " r1");
    }

    @Test
    void anAuthenticatedUsersMailArrivesSignedAtAMailExchangerAndInAMaildir(@TempDir Path dir) throws Exception {
        try (DeliveryFixture tern = start(dir.resolve("data"), Map.of())) {
            ScriptedSmtpPeer peer = tern.exchanger(REMOTE, "127.0.0.21", tern.peer());
            tern.submitAsUser("bob@" + REMOTE, message("bob@" + REMOTE));
            tern.submitAsUser(DeliveryFixture.SENDER, message(DeliveryFixture.SENDER));

            await().atMost(Duration.ofSeconds(20)).until(() -> peer.messages().size() == 1);
            byte[] delivered = peer.messages().get(0).content();
            String text = new String(delivered, StandardCharsets.UTF_8);
            // On top, above Tern's Received field, which is not signed; Message-ID and Date Tern added are.
            assertThat(text).startsWith("DKIM-Signature:");
            assertThat(text.indexOf("DKIM-Signature:")).isLessThan(text.indexOf("Received:"));
            assertThat(signatures(text)).hasSize(2).allSatisfy(s -> assertThat(s)
                    .contains("h=from:from:to:subject:date:message-id;")
                    .doesNotContain("received"));
            assertVerifies(dir, tern, delivered);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> tern.mailbox(DeliveryFixture.SENDER).size() == 1);
            String local = tern.mailbox(DeliveryFixture.SENDER).get(0);
            assertVerifies(dir, tern, local.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(
                            tern
                                    .server()
                                    .meterRegistry()
                                    .find("tern.dkim.signatures")
                                    .tag("outcome", "signed")
                                    .counters()
                                    .stream()
                                    .mapToDouble(c -> c.count())
                                    .sum())
                    .isEqualTo(4);
        }
    }

    /**
     * Lines over 998 octets, which every delivery folds (RFC 5321 4.5.3.1.6), are folded before the message is
     * signed (RFC 6376 5.3), so the signature holds at the receiver: a Subject and a body line without white space.
     */
    @Test
    void aMessageWithLinesTooLongForSmtpArrivesFoldedAndSigned(@TempDir Path dir) throws Exception {
        try (DeliveryFixture tern = start(dir.resolve("data"), Map.of())) {
            ScriptedSmtpPeer peer = tern.exchanger(REMOTE, "127.0.0.23", tern.peer());
            String message = "From: Alice <" + DeliveryFixture.SENDER + ">\r\n"
                    + "To: <bob@" + REMOTE + ">\r\n"
                    + "Subject: " + "s".repeat(1200) + "\r\n"
                    + "\r\n"
                    + "b".repeat(1500) + "\r\n"
                    + "words ".repeat(300) + "\r\n";
            tern.submitAsUser("bob@" + REMOTE, message);

            await().atMost(Duration.ofSeconds(20)).until(() -> peer.messages().size() == 1);
            byte[] delivered = peer.messages().get(0).content();
            assertThat(new String(delivered, StandardCharsets.UTF_8).lines())
                    .as("no line over 998 octets")
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
            assertVerifies(dir, tern, delivered);
        }
    }

    /**
     * Only what is signed is folded: a message whose author's domain has no key keeps its long line in the
     * Maildir; one without From gets the sender's (RFC 6409 8), is signed, and so folded first.
     */
    @Test
    void onlyTheMailTernSignsIsFoldedBeforehand(@TempDir Path dir) throws Exception {
        try (DeliveryFixture tern = start(dir.resolve("data"), Map.of())) {
            ScriptedSmtpPeer peer = tern.exchanger(REMOTE, "127.0.0.24", tern.peer());
            String line = "k".repeat(1500);
            tern.submitAsUser(
                    DeliveryFixture.SENDER, "From: <someone@nokey.test>\r\nSubject: unsigned\r\n\r\n" + line + "\r\n");
            tern.submitAsUser("bob@" + REMOTE, "To: <bob@" + REMOTE + ">\r\nSubject: no from\r\n\r\n" + line + "\r\n");

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> tern.mailbox(DeliveryFixture.SENDER).size() == 1);
            assertThat(tern.mailbox(DeliveryFixture.SENDER).get(0))
                    .as("not signed: kept as received")
                    .contains("\n" + line + "\n")
                    .doesNotContain("DKIM-Signature:");
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.messages().size() == 1);
            byte[] delivered = peer.messages().get(0).content();
            assertThat(new String(delivered, StandardCharsets.UTF_8))
                    .contains("From: <" + DeliveryFixture.SENDER + ">")
                    .doesNotContain(line);
            assertVerifies(dir, tern, delivered);
        }
    }

    @Test
    void aRetryCarriesTheSameSignature(@TempDir Path dir) throws Exception {
        try (DeliveryFixture tern = start(dir.resolve("data"), Map.of())) {
            ScriptedSmtpPeer peer =
                    tern.exchanger(REMOTE, "127.0.0.22", tern.peer()).reply(".", "451 4.3.0 try again");
            // From a trusted network (loopback, by default), without AUTH: ours as well.
            tern.submit(DeliveryFixture.SENDER, List.of("carol@" + REMOTE), "retried");

            await().atMost(Duration.ofSeconds(20)).until(() -> peer.attempts().size() == 1);
            peer.reply(".", "250 2.0.0 Ok");
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.messages().size() == 1);

            String first = new String(peer.attempts().get(0).content(), StandardCharsets.UTF_8);
            byte[] delivered = peer.messages().get(0).content();
            assertThat(signatures(first))
                    .hasSize(2)
                    .isEqualTo(signatures(new String(delivered, StandardCharsets.UTF_8)));
            assertVerifies(dir, tern, delivered);
        }
    }

    @Test
    void ternsOwnDeliveryReportsAreSignedForItsHostname(@TempDir Path dir) throws Exception {
        // The reports come From MAILER-DAEMON@<hostname>: a key for the hostname signs them.
        Map<String, String> env =
                Map.of("TERN_DKIM_DOMAINS", DeliveryFixture.HOSTNAME + "=e1:ed25519-sha256:" + edFile);
        try (DeliveryFixture tern = DeliveryFixture.start(dir.resolve("data"), Map.of(), env)) {
            publish(tern, "e1", DkimAlgorithm.ED25519_SHA256, ed, DeliveryFixture.HOSTNAME);
            tern.exchanger(REMOTE, "127.0.0.24", tern.peer().rcptReply("nobody@" + REMOTE, "550 5.1.1 no such user"));
            tern.submit(DeliveryFixture.SENDER, List.of("nobody@" + REMOTE), "bounced");

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> tern.mailbox(DeliveryFixture.SENDER).size() == 1);
            String dsn = tern.mailbox(DeliveryFixture.SENDER).get(0);
            assertThat(dsn)
                    .contains("MAILER-DAEMON@" + DeliveryFixture.HOSTNAME)
                    .contains("\nDKIM-Signature: ");
            ExternalTools.Run run = DkimVerifier.verify(
                    dir, dsn.getBytes(StandardCharsets.ISO_8859_1), tern.dns().port());
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("0 pass ed25519-sha256 " + DeliveryFixture.HOSTNAME + " e1");
        }
    }

    @Test
    void mailFromStrangersIsNotSigned(@TempDir Path dir) throws Exception {
        // Loopback is no longer a trusted network: a plain client on mx is a stranger.
        Map<String, String> env = Map.of("TERN_RELAY_TRUSTED_NETWORKS", "192.0.2.0/24", "TERN_RELAY_DOMAINS", REMOTE);
        try (DeliveryFixture tern = start(dir.resolve("data"), env)) {
            ScriptedSmtpPeer peer = tern.exchanger(REMOTE, "127.0.0.23", tern.peer());
            // For a local domain, and relayed for a domain we serve: a From of our signed domain changes nothing.
            tern.submit(DeliveryFixture.SENDER, List.of(DeliveryFixture.SENDER), "to us");
            tern.submit(DeliveryFixture.SENDER, List.of("dave@" + REMOTE), "relayed");

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> tern.mailbox(DeliveryFixture.SENDER).size() == 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> peer.messages().size() == 1);
            assertThat(tern.mailbox(DeliveryFixture.SENDER).get(0)).doesNotContain("DKIM-Signature");
            assertThat(new String(peer.messages().get(0).content(), StandardCharsets.UTF_8))
                    .doesNotContain("DKIM-Signature");
            assertThat(tern.server()
                            .meterRegistry()
                            .find("tern.dkim.signatures")
                            .counters())
                    .allSatisfy(c -> assertThat(c.count()).isZero());
        }
    }

    @Test
    void aBdatMessageOfHeadersOnlyWithoutAFinalLineEndArrivesSigned(@TempDir Path dir) throws Exception {
        try (DeliveryFixture tern = start(dir.resolve("data"), Map.of())) {
            ScriptedSmtpPeer peer = tern.exchanger(REMOTE, "127.0.0.25", tern.peer());
            // Two chunks, the split inside a header field, no empty line and no CRLF at the very end.
            String first = "From: Alice <" + DeliveryFixture.SENDER + ">\r\nTo: <bob@" + REMOTE + ">\r\nSubj";
            String last = "ect: only headers";
            try (Socket socket = new Socket()) {
                socket.connect(tern.server().address("mx"), 10_000);
                socket.setSoTimeout(10_000);
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                assertThat(finalReply(in)).startsWith("220");
                out.write(("EHLO client.test\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(finalReply(in)).startsWith("250");
                out.write(("MAIL FROM:<" + DeliveryFixture.SENDER + ">\r\nRCPT TO:<bob@" + REMOTE + ">\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(finalReply(in)).startsWith("250");
                assertThat(finalReply(in)).startsWith("250");
                out.write(("BDAT " + first.length() + "\r\n" + first).getBytes(StandardCharsets.US_ASCII));
                assertThat(finalReply(in)).startsWith("250");
                out.write(("BDAT " + last.length() + " LAST\r\n" + last).getBytes(StandardCharsets.US_ASCII));
                assertThat(finalReply(in)).startsWith("250 2.0.0");
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(finalReply(in)).startsWith("221");
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> peer.messages().size() == 1);
            byte[] delivered = peer.messages().get(0).content();
            String text = new String(delivered, StandardCharsets.UTF_8);
            assertThat(signatures(text)).hasSize(2).allSatisfy(s -> assertThat(s)
                    .contains("subject"));
            assertThat(text).contains("Subject: only headers");
            assertVerifies(dir, tern, delivered);
        }
    }

    /** The last line of a reply, read past its continuation lines. */
    private static String finalReply(BufferedReader in) throws IOException {
        String line = in.readLine();
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        assertThat(line).as("a reply").isNotNull();
        return line;
    }
}
