package dev.tern.server.it;

import static dev.tern.server.it.TernFixture.PASSWORD;
import static dev.tern.server.it.TernFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An authenticated user sends only as an address it owns, on every listener (Postfix reject_sender_login_mismatch). */
class SenderOwnershipIT {
    @TempDir
    Path dataDir;

    private TernFixture tern;

    @AfterEach
    void stop() {
        if (tern != null) {
            tern.close();
        }
    }

    @Test
    void anIndependentClientSendsAsItselfButNotAsAnotherUser() throws Exception {
        tern = TernFixture.start(dataDir, Map.of());
        Session session = AngusClient.startTls(tern.clientTls());
        MimeMessage own = AngusClient.message(session, "alice@local.test", "bob@local.test", "mine", "ok");
        assertThat(AngusClient.send(session, tern.submission(), USER, PASSWORD, own))
                .startsWith("250 2.0.0");
        MimeMessage forged = AngusClient.message(session, "bob@local.test", "carol@local.test", "forged", "no");
        assertThatThrownBy(() -> AngusClient.send(session, tern.submission(), USER, PASSWORD, forged))
                .isInstanceOf(SMTPSendFailedException.class)
                .satisfies(e -> assertThat(((SMTPSendFailedException) e).getReturnCode())
                        .isEqualTo(553))
                .hasMessageContaining("5.7.1");
        assertThat(tern.storedContents()).singleElement().asString().contains("Subject: mine");
    }

    @Test
    void aliasesAndGrantsWidenWhatAUserOwns() {
        tern = TernFixture.start(
                dataDir,
                Map.of(
                        "TERN_LOCAL_ALIASES", "info=alice@local.test",
                        "TERN_AUTH_SENDERS", "alice=alice@elsewhere.test @corp.test"));
        try (RawSmtpClient c = smtpsAsAlice()) {
            assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RSET").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<info@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RSET").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<alice@elsewhere.test>").code()).isEqualTo(250);
            assertThat(c.command("RSET").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<ceo@corp.test>").code()).isEqualTo(250);
            assertThat(c.command("RSET").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<bob@local.test>").last()).startsWith("553 5.7.1");
            // Read receipts and automatic replies go with the null sender (RFC 8098 2.1, RFC 3834 3.3).
            assertThat(c.command("MAIL FROM:<>").code()).isEqualTo(250);
        }
    }

    /** The mx listener offers AUTH after STARTTLS too: a user who logs in there is held to the same addresses. */
    @Test
    void aUserWhoLogsInOnTheMxListenerIsHeldToItsOwnAddressesToo() {
        tern = TernFixture.start(dataDir, Map.of());
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.ehlo("client.test");
            // Mail from other servers is not concerned: no session of theirs is authenticated.
            assertThat(c.command("MAIL FROM:<anyone@elsewhere.test>").code()).isEqualTo(250);
            assertThat(c.command("RSET").code()).isEqualTo(250);
            assertThat(c.command("STARTTLS").code()).isEqualTo(220);
            c.startTls(tern.clientTls());
            login(c);
            assertThat(c.command("MAIL FROM:<bob@local.test>").last()).startsWith("553 5.7.1");
            assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
        }
    }

    @Test
    void anOperatorMayTurnTheCheckOffPerListener() {
        tern = TernFixture.start(dataDir, Map.of("TERN_LISTENERS_SUBMISSION_RESTRICT_SENDERS", "false"));
        try (RawSmtpClient c = tern.connect(tern.submission())) {
            c.reply();
            c.ehlo("client.test");
            assertThat(c.command("STARTTLS").code()).isEqualTo(220);
            c.startTls(tern.clientTls());
            login(c);
            assertThat(c.command("MAIL FROM:<bob@local.test>").code()).isEqualTo(250);
        }
        // The smtps listener keeps its default.
        try (RawSmtpClient c = smtpsAsAlice()) {
            assertThat(c.command("MAIL FROM:<bob@local.test>").last()).startsWith("553 5.7.1");
        }
    }

    /** Implicit TLS, greeted, logged in as alice. */
    private RawSmtpClient smtpsAsAlice() {
        RawSmtpClient c = tern.connectSmtps();
        assertThat(c.reply().code()).isEqualTo(220);
        return login(c);
    }

    /** EHLO, then AUTH PLAIN as alice, on a connection already inside TLS. */
    private static RawSmtpClient login(RawSmtpClient c) {
        c.ehlo("client.test");
        String response =
                Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(c.command("AUTH PLAIN " + response).last()).startsWith("235 2.7.0");
        return c;
    }
}
