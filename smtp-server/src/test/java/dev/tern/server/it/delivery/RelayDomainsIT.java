package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mail for relay domains (a backup MX, an inbound gateway): taken from anyone, passed on to the domain's
 * mail exchangers, never kept here; and when we are one of those exchangers, only the more preferred ones
 * are tried (RFC 5321 5.1).
 */
class RelayDomainsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SENDER = DeliveryFixture.SENDER;

    /** Loopback is not trusted: what is accepted is accepted from anyone. */
    private static final Map<String, String> BACKUP_MX = Map.of(
            "TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8",
            "TERN_RELAY_DOMAINS", "relay.test",
            "TERN_RELAY_RECIPIENTS", "bob@relay.test");

    @TempDir
    Path dataDir;

    @Test
    void passesMailForARelayDomainFromAnyoneToItsMailExchanger() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), BACKUP_MX)) {
            ScriptedSmtpPeer peer = tern.peer();
            tern.host("mx.relay.test", "127.0.0.2", peer);
            tern.dns().mx("relay.test", 10, "mx.relay.test");

            QueueId id = tern.submit("carol@remote.test", List.of("Bob@Relay.test"), "for a relay domain");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(peer.messages().get(0).mailFrom()).isEqualTo("FROM:<carol@remote.test>");
            assertThat(peer.messages().get(0).rcptTo()).containsExactly("TO:<Bob@Relay.test>");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(tern.allMailboxes()).as("nothing kept here").isEmpty();
        }
    }

    @Test
    void refusesAnUnlistedRecipientOfARelayDomain() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), BACKUP_MX)) {
            String reply = Submitter.rcptReply(tern.server().address("mx"), "carol@remote.test", "eve@relay.test");

            assertThat(reply).startsWith("550 5.1.1");
            assertThat(tern.server().spool().size()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // the MX record names our hostname
        "by its hostname,                           tern.test,          127.0.0.3",
        // another name, at the address our listeners are bound to (127.0.0.1)
        "by another name at its listener's address, backup.relay.test,  127.0.0.1",
    })
    void asABackupMxTriesOnlyTheMorePreferredExchangers(String how, String selfName, String selfAddress)
            throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), BACKUP_MX)) {
            ScriptedSmtpPeer primary = tern.peer();
            LoopbackForwarder toSelf = tern.host(selfName, selfAddress, tern.peer());
            LoopbackForwarder toEqual = tern.host("mx2.relay.test", "127.0.0.4", tern.peer());
            LoopbackForwarder toLower = tern.host("mx3.relay.test", "127.0.0.5", tern.peer());
            // The primary's address answers nothing yet: it is down.
            tern.dns()
                    .a("mx1.relay.test", "127.0.0.2")
                    .mx("relay.test", 10, "mx1.relay.test")
                    .mx("relay.test", 20, selfName)
                    .mx("relay.test", 20, "mx2.relay.test")
                    .mx("relay.test", 30, "mx3.relay.test");

            QueueId id = tern.submit(SENDER, List.of("bob@relay.test"), "backup");

            // RFC 5321 5.1: ourselves and every exchanger of equal or lower preference are dropped, so while
            // the primary is down the message waits here, retried, neither bounced nor sent elsewhere.
            await().during(Duration.ofMillis(1500))
                    .atMost(WAIT)
                    .until(() -> tern.queued(id) && tern.allMailboxes().isEmpty());
            tern.host("mx1.relay.test", "127.0.0.2", primary);

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(primary.messages()).hasSize(1));
            assertThat(primary.messages().get(0).rcptTo()).containsExactly("TO:<bob@relay.test>");
            assertThat(toSelf.connections() + toEqual.connections() + toLower.connections())
                    .as(how)
                    .isZero();
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(tern.allMailboxes()).as("no bounce").isEmpty();
        }
    }
}
