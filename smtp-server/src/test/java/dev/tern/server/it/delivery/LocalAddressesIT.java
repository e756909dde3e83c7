package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an address of a local domain reaches: address extensions, aliases here and elsewhere, postmaster. */
class LocalAddressesIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ALICE = DeliveryFixture.SENDER;

    @TempDir
    Path dataDir;

    @Test
    void deliversAnAddressExtensionToTheMailboxBeforeIt() throws Exception {
        Map<String, String> env = Map.of("TERN_LOCAL_MAILBOXES", ALICE, "TERN_LOCAL_RECIPIENT_DELIMITER", "+");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), env)) {
            tern.submit("alice+news@local.test", "extension");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(ALICE)).hasSize(1));
            assertThat(tern.mailbox(ALICE).get(0))
                    .contains("Delivered-To: alice+news@local.test\n")
                    .contains("Subject: extension");
            assertThat(tern.mailbox("alice+news@local.test")).isEmpty();
        }
    }

    @Test
    void deliversAnAliasOfALocalMailboxToThatMailbox() throws Exception {
        Map<String, String> env = Map.of("TERN_LOCAL_MAILBOXES", ALICE, "TERN_LOCAL_ALIASES", "info=alice");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), env)) {
            tern.submit("carol@remote.test", List.of("info@local.test"), "alias here");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(ALICE)).hasSize(1));
            assertThat(tern.mailbox(ALICE).get(0))
                    .startsWith("Return-Path: <carol@remote.test>\nDelivered-To: alice@local.test\n")
                    .contains("Subject: alias here");
            assertThat(tern.mailbox("info@local.test")).isEmpty();
        }
    }

    /**
     * One transaction to an alias, an address extension and an alias with an extension, all reaching alice:
     * one copy per distinct address delivered to, as Postfix delivers, each naming it in Delivered-To. The
     * alias and the alias with an extension both end at alice@local.test, so they are one copy.
     */
    @Test
    void deliversOneCopyPerDistinctAddressInOneMailbox() throws Exception {
        Map<String, String> env = Map.of(
                "TERN_LOCAL_MAILBOXES", ALICE,
                "TERN_LOCAL_ALIASES", "info=alice",
                "TERN_LOCAL_RECIPIENT_DELIMITER", "+");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), env)) {
            QueueId id = tern.submit(
                    "carol@remote.test",
                    List.of("info@local.test", "alice+tag@local.test", "Info+x@local.test"),
                    "three addresses");

            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(tern.mailbox(ALICE))
                    .hasSize(2)
                    .allSatisfy(m -> assertThat(m).contains("Subject: three addresses"))
                    .anySatisfy(m -> assertThat(m).contains("\nDelivered-To: alice@local.test\n"))
                    .anySatisfy(m -> assertThat(m).contains("\nDelivered-To: alice+tag@local.test\n"));
        }
    }

    @Test
    void forwardsAnOffSiteAliasByMxWithTheOriginalSenderAndOrcpt() throws Exception {
        try (DeliveryFixture tern =
                DeliveryFixture.start(dataDir, Map.of(), Map.of("TERN_LOCAL_ALIASES", "bob=Bob@elsewhere.test"))) {
            ScriptedSmtpPeer peer = tern.peer().extensions("PIPELINING", "ENHANCEDSTATUSCODES", "DSN");
            tern.host("mx.elsewhere.test", "127.0.0.2", peer);
            tern.dns().mx("elsewhere.test", 10, "mx.elsewhere.test");

            QueueId id = tern.submit("carol@remote.test", List.of("bob@local.test"), "forwarded");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            ScriptedSmtpPeer.Received received = peer.messages().get(0);
            // No SRS: the peer sees the sender who wrote, so a bounce goes back to that sender.
            assertThat(received.mailFrom()).isEqualTo("FROM:<carol@remote.test>");
            // RFC 3461 4.2: the address the sender used travels on as ORCPT.
            assertThat(received.rcptTo()).containsExactly("TO:<Bob@elsewhere.test> ORCPT=rfc822;bob@local.test");
            assertThat(new String(received.content(), StandardCharsets.US_ASCII))
                    .contains("Subject: forwarded");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(tern.allMailboxes()).isEmpty();
        }
    }

    @Test
    void bouncesAForwardedMessageTheFinalServerRefusesToTheOriginalSender() throws Exception {
        try (DeliveryFixture tern =
                DeliveryFixture.start(dataDir, Map.of(), Map.of("TERN_LOCAL_ALIASES", "bob=bob@elsewhere.test"))) {
            ScriptedSmtpPeer peer = tern.peer().rcptReply("bob@elsewhere.test", "550 5.1.1 no such user here");
            tern.host("mx.elsewhere.test", "127.0.0.2", peer);
            tern.dns().mx("elsewhere.test", 10, "mx.elsewhere.test");

            tern.submit(ALICE, List.of("bob@local.test"), "forward refused");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(ALICE)).hasSize(1));
            String dsn = tern.mailbox(ALICE).get(0);
            assertThat(Dsns.isReport(dsn)).as(dsn).isTrue();
            assertThat(Dsns.statuses(dsn)).containsExactly("5.1.1");
            // RFC 3464 2.3.1: the report names the address the sender wrote, and where it was forwarded.
            assertThat(dsn)
                    .contains("Original-Recipient: rfc822; bob@local.test")
                    .contains("Final-Recipient: rfc822; bob@elsewhere.test")
                    .contains("Subject: forward refused");
            assertThat(peer.messages()).isEmpty();
        }
    }

    @Test
    void takesPostmasterFromAnyoneInEveryFormAndDeliversItToLocalPostmaster() throws Exception {
        Map<String, String> env = Map.of(
                "TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8",
                "TERN_LOCAL_MAILBOXES", ALICE,
                "TERN_LOCAL_POSTMASTER", "hostmaster@elsewhere.test");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), env)) {
            ScriptedSmtpPeer peer = tern.peer().extensions("PIPELINING", "ENHANCEDSTATUSCODES", "DSN");
            tern.host("mx.elsewhere.test", "127.0.0.2", peer);
            tern.dns().mx("elsewhere.test", 10, "mx.elsewhere.test");
            // RFC 5321 4.5.1: whatever the mailbox list says, from an untrusted and unauthenticated client.
            List<String> forms = List.of("postmaster", "POSTMASTER", "PostMaster@Local.Test", "postmaster@tern.test");

            forms.forEach(form -> tern.submit("carol@remote.test", List.of(form), "to " + form));

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(forms.size()));
            assertThat(peer.messages())
                    .extracting(ScriptedSmtpPeer.Received::rcptTo)
                    .containsExactlyInAnyOrder(
                            // the bare form is read in the first local domain (RFC 5321 4.1.1.3)
                            List.of("TO:<hostmaster@elsewhere.test> ORCPT=rfc822;postmaster@local.test"),
                            List.of("TO:<hostmaster@elsewhere.test> ORCPT=rfc822;POSTMASTER@local.test"),
                            List.of("TO:<hostmaster@elsewhere.test> ORCPT=rfc822;PostMaster@Local.Test"),
                            List.of("TO:<hostmaster@elsewhere.test> ORCPT=rfc822;postmaster@tern.test"));
            assertThat(tern.allMailboxes()).isEmpty();
        }
    }

    @Test
    void deliversPostmasterToTheFirstLocalDomainsPostmasterByDefault() throws Exception {
        Map<String, String> env = Map.of("TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8", "TERN_LOCAL_MAILBOXES", ALICE);
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), env)) {
            tern.submit("carol@remote.test", List.of("postmaster"), "bare");
            tern.submit("carol@remote.test", List.of("Postmaster@local.test"), "domain");

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox("postmaster@local.test"))
                    .hasSize(2));
            assertThat(tern.mailbox("postmaster@local.test"))
                    .anySatisfy(m -> assertThat(m).contains("Subject: bare"))
                    .anySatisfy(m -> assertThat(m).contains("Subject: domain"));
        }
    }
}
