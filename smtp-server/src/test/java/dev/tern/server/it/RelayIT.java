package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.spool.SpooledMessage;
import dev.tern.server.auth.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who may send to whom, over a real socket: an MX must not be an open relay (RFC 5321 3.6.2, 7.1), and
 * the decision is made on the forward-path's final domain, whatever tricks the local part holds. An alias
 * enters the envelope as its target.
 */
class RelayIT {
    /**
     * Untrusted loopback, two real mailboxes, {@code +} starts an address extension, and two relay domains
     * with one listed recipient.
     */
    private static final Map<String, String> STRICT = Map.of(
            "TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8",
            "TERN_LOCAL_MAILBOXES", "alice@local.test,bob@local.test",
            "TERN_LOCAL_RECIPIENT_DELIMITER", "+",
            "TERN_RELAY_DOMAINS", "relay.test,gateway.test",
            "TERN_RELAY_RECIPIENTS", "bob@relay.test");

    private static final Authenticator ALICE = (user, password) ->
            CompletableFuture.completedFuture(user.equals(TernFixture.USER) && password.equals(TernFixture.PASSWORD));

    @TempDir
    Path dataDir;

    private TernFixture tern;

    @AfterEach
    void stop() {
        if (tern != null) {
            tern.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | forward-path                   | reply
            another domain, unauthenticated          | <x@other.test>                 | 554 5.7.1
            unknown local user                       | <carol@local.test>             | 550 5.1.1
            postmaster always exists                 | <postmaster@local.test>        | 250 2.1.5
            in any case                              | <PostMaster@LOCAL.test>        | 250 2.1.5
            bare postmaster (RFC 5321 4.1.1.3)       | <postmaster>                   | 250 2.1.5
            bare, in any case                        | <POSTMASTER>                   | 250 2.1.5
            postmaster at our own name               | <postmaster@tern.test>         | 250 2.1.5
            someone else at our own name             | <alice@tern.test>              | 554 5.7.1
            listed recipient of a relay domain       | <Bob@Relay.test>               | 250 2.1.5
            unlisted recipient of a relay domain     | <carol@relay.test>             | 550 5.1.1
            a relay domain with none listed          | <carol@gateway.test>           | 550 5.1.1
            a relay domain's postmaster              | <postmaster@gateway.test>      | 250 2.1.5
            extension of a mailbox                   | <Bob+Lists@local.test>         | 250 2.1.5
            extension of nobody                      | <carol+lists@local.test>       | 550 5.1.1
            percent hack stays local                 | <x%other.test@local.test>      | 550 5.1.1
            quoted at sign stays local               | <"x@other.test"@local.test>    | 550 5.1.1
            bang path stays local                    | <other.test!x@local.test>      | 550 5.1.1
            source route goes to its final domain    | <@local.test:x@other.test>     | 554 5.7.1
            our own address literal (RFC 1123 5.2.17)| <Bob@[127.0.0.1]>              | 250 2.1.5
            its postmaster                           | <postmaster@[127.0.0.1]>       | 250 2.1.5
            nobody at our own address literal        | <carol@[127.0.0.1]>            | 550 5.1.1
            another host's address literal           | <bob@[127.0.0.9]>              | 554 5.7.1
            """)
    void judgesRecipientsOnTheFinalDomain(String what, String forwardPath, String expected) {
        tern = TernFixture.start(dataDir, STRICT, ALICE);
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("RCPT TO:" + forwardPath).last()).as(what).startsWith(expected);
        }
    }

    /** Mail for our own address literal is kept for the first local domain's mailbox, ORCPT telling where it was sent. */
    @Test
    void keepsMailForItsOwnAddressLiteralForTheLocalMailbox() {
        tern = TernFixture.start(dataDir, STRICT, ALICE);
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("RCPT TO:<bob@[127.0.0.1]>").last()).startsWith("250 2.1.5");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: literal\r\n\r\nhi\r\n.\r\n").reply().last())
                    .startsWith("250 2.0.0");
        }
        assertThat(tern.server().spool().pending()).singleElement().satisfies(m -> assertThat(
                        m.envelope().recipients())
                .singleElement()
                .satisfies(r -> assertThat(r.mailbox().address()).isEqualTo("bob@local.test")));
    }

    @Test
    void acceptsAConfiguredMailbox() {
        tern = TernFixture.start(dataDir, STRICT, ALICE);
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("RCPT TO:<alice@local.test>").last()).startsWith("250 2.1.5");
            assertThat(c.command("RCPT TO:<Bob@LOCAL.test>").last()).startsWith("250 2.1.5");
        }
    }

    @Test
    void relaysForAnAuthenticatedClient() {
        tern = TernFixture.start(dataDir, STRICT, ALICE);
        try (RawSmtpClient c = tern.authenticated(tern.mx())) {
            assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<x@other.test>").last()).startsWith("250 2.1.5");
            assertThat(c.command("RCPT TO:<@local.test:y@other.test>").last()).startsWith("250 2.1.5");
        }
    }

    /**
     * With the built-in default, only this host's own {@code 127.0.0.1} is trusted: a client from another
     * loopback address is any client, refused relaying as one from the internet is.
     */
    @Test
    void byDefaultTrustsThisHostsOwnLoopbackAddressAndNoOther() {
        tern = TernFixture.start(dataDir, Map.of(), ALICE);
        try (RawSmtpClient own = inTransaction(tern.connect(tern.mx()));
                RawSmtpClient other = inTransaction(tern.connectFrom("127.0.0.2", tern.mx()))) {
            assertThat(own.command("RCPT TO:<x@other.test>").last()).startsWith("250 2.1.5");
            assertThat(other.command("RCPT TO:<x@other.test>").last()).startsWith("554 5.7.1");
        }
    }

    @Test
    void relaysForATrustedNetwork() {
        tern = TernFixture.start(dataDir, Map.of("TERN_RELAY_TRUSTED_NETWORKS", "127.0.0.0/8"), ALICE);
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("RCPT TO:<x@other.test>").last()).startsWith("250 2.1.5");
        }
    }

    @Test
    void storesAnAliasAsItsTargetWithTheAddressGivenAsOrcpt() throws Exception {
        tern = TernFixture.start(
                dataDir,
                Map.of(
                        "TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8",
                        "TERN_LOCAL_MAILBOXES", "alice@local.test",
                        "TERN_LOCAL_ALIASES", "info=alice,away=Bob@elsewhere.test"),
                ALICE);
        Session session = AngusClient.plain();
        MimeMessage message = AngusClient.message(session, "carol@remote.test", "info@local.test", "hi", "body");
        message.addRecipient(Message.RecipientType.CC, new InternetAddress("Away@Local.Test"));

        // Untrusted and unauthenticated, yet the off-site target is accepted: the alias is ours.
        assertThat(AngusClient.send(session, tern.mx(), null, null, message)).startsWith("250 2.0.0");

        SpooledMessage stored = tern.server().spool().pending().getFirst();
        assertThat(stored.envelope().reversePath().mailbox().address()).isEqualTo("carol@remote.test");
        assertThat(stored.envelope().recipients())
                .extracting(r -> r.mailbox().address())
                .containsExactly("alice@local.test", "Bob@elsewhere.test");
        // RFC 3461 4.2: the address the client gave, kept for reports.
        assertThat(stored.envelope().recipients())
                .extracting(r -> r.parameters().orcpt())
                .containsExactly("rfc822;info@local.test", "rfc822;Away@Local.Test");
    }

    @Test
    void refusesLocalAddressesNoFolderCanBeNamedAfterSoThatNothingIsBounced() throws Exception {
        // No mailbox listed: every local part exists, and a folder's name is all that can refuse one. Taking the
        // message and bouncing it at delivery would send a report to a sender anyone can forge.
        tern = TernFixture.start(dataDir, Map.of("TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8"), ALICE);
        SMTPClient client = new SMTPClient();
        client.connect(tern.mx().getAddress(), tern.mx().getPort());
        try {
            assertThat(client.login("client.test")).isTrue();
            assertThat(client.setSender("someone@remote.test")).isTrue();
            for (String unusable : List.of(
                    "\"a/b\"@local.test", "\"../x\"@local.test", "\".hidden\"@local.test", "\"a\\\\b\"@local.test")) {
                assertThat(client.addRecipient(unusable)).as(unusable).isFalse();
                assertThat(client.getReplyString()).as(unusable).startsWith("550 5.1.3");
            }
            assertThat(client.addRecipient("anyone@local.test")).isTrue();
            assertThat(client.sendShortMessageData("Subject: kept\r\n\r\nbody\r\n"))
                    .isTrue();
        } finally {
            client.disconnect();
        }

        List<SpooledMessage> stored = tern.server().spool().pending();
        assertThat(stored).hasSize(1);
        assertThat(stored.getFirst().envelope().recipients())
                .extracting(r -> r.mailbox().address())
                .containsExactly("anyone@local.test");
    }

    private RawSmtpClient inTransaction() {
        return inTransaction(tern.connect(tern.mx()));
    }

    private static RawSmtpClient inTransaction(RawSmtpClient c) {
        c.reply();
        c.ehlo("client.test");
        assertThat(c.command("MAIL FROM:<someone@remote.test>").code()).isEqualTo(250);
        return c;
    }
}
