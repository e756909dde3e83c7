package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-recipient outcomes are in the spool: a restart neither loses nor repeats a recipient. */
class RestartIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void restartDeliversTheDeferredRecipientAndNotTheDeliveredOne() throws Exception {
        // A long queue lifetime: the deferred recipient must survive the restart, not expire.
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "1m"))) {
            ScriptedSmtpPeer accepting = tern.peer();
            ScriptedSmtpPeer busy = tern.peer().rcptReply("bob@two.test", "451 4.3.0 come back later");
            tern.host("mx.one.test", "127.0.0.2", accepting);
            tern.host("mx.two.test", "127.0.0.3", busy);
            tern.dns().mx("one.test", 10, "mx.one.test").mx("two.test", 10, "mx.two.test");

            QueueId id = tern.submit(DeliveryFixture.SENDER, List.of("ann@one.test", "bob@two.test"), "restart");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(accepting.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> DeliveryFixture.rcptCount(busy) >= 1);
            tern.restart();
            // Tern is down and up again: the message is still there (the deferral is on disk).
            assertThat(tern.queued(id)).as("still queued after the restart").isTrue();
            busy.rcptReply("bob@two.test", "250 2.1.5 Ok");

            await().atMost(WAIT).untilAsserted(() -> assertThat(busy.messages()).hasSize(1));
            assertThat(busy.messages().get(0).rcptTo()).containsExactly("TO:<bob@two.test>");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            // ann@one.test was delivered before the restart and is not delivered again.
            await().during(Duration.ofMillis(600)).atMost(WAIT).untilAsserted(() -> assertThat(accepting.messages())
                    .hasSize(1));
            assertThat(tern.allMailboxes()).as("no DSN").isEmpty();
        }
    }

    /**
     * Local parts over RFC 5321's 64 octets (a VERP sender, a long recipient), as real bulk mail has them: taken,
     * kept in the spool across a restart, and relayed with both addresses as given.
     */
    @Test
    void aMessageWithLocalPartsOverSixtyFourOctetsSurvivesARestartAndIsRelayedAsGiven() throws Exception {
        String sender = "bounces+1234567-abcd-" + "a".repeat(60) + "=customer.example@" + DeliveryFixture.LOCAL;
        String recipient = "first.last+" + "b".repeat(70) + "@two.test";
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "1m"))) {
            ScriptedSmtpPeer busy = tern.peer().rcptReply(recipient, "451 4.3.0 come back later");
            tern.exchanger("two.test", "127.0.0.3", busy);

            QueueId id = Submitter.submit(tern.server().address("mx"), sender, List.of(recipient), "verp");

            await().atMost(WAIT).until(() -> DeliveryFixture.rcptCount(busy) >= 1);
            tern.restart();
            assertThat(tern.queued(id)).as("still queued after the restart").isTrue();
            busy.rcptReply(recipient, "250 2.1.5 Ok");

            await().atMost(WAIT).untilAsserted(() -> assertThat(busy.messages()).hasSize(1));
            assertThat(busy.messages().get(0).mailFrom()).isEqualTo("FROM:<" + sender + ">");
            assertThat(busy.messages().get(0).rcptTo()).containsExactly("TO:<" + recipient + ">");
        }
    }
    /**
     * An operator makes a relayed domain local while mail for it waits in the queue: after the restart its
     * recipients go to local mailboxes, and one whose local part names no folder (RCPT now refuses such an
     * address) is bounced with 5.1.3 and never reaches the file system.
     */
    @Test
    void aQueuedRecipientOfADomainMadeLocalIsBouncedAfterTheRestartWhenItNamesNoFolder() throws Exception {
        String unusable = "\"../a/b\"@moved.test";
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "1m"))) {
            // moved.test's exchanger refuses connections: the message waits in the queue.
            tern.dns().mx("moved.test", 10, "mx.moved.test").a("mx.moved.test", "127.0.0.4");
            QueueId id = tern.submit(DeliveryFixture.SENDER, List.of("ann@moved.test", unusable), "moved");

            tern.restart(Map.of("TERN_LOCAL_DOMAINS", DeliveryFixture.LOCAL + ",moved.test"));

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox("ann@moved.test"))
                    .singleElement()
                    .asString()
                    .contains("Subject: moved"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                    .singleElement()
                    .asString()
                    .contains("Status: 5.1.3")
                    .contains("Final-Recipient: rfc822; " + unusable));
            await().atMost(WAIT).until(() -> !tern.queued(id));
            // Written as given, "../a/b" would have made mail/a/b beside the domains' folders.
            Path mail = dataDir.resolve("mail");
            try (Stream<Path> folders = Files.walk(mail, 2)) {
                assertThat(folders.map(p -> mail.relativize(p).toString()))
                        .containsExactlyInAnyOrder(
                                "",
                                DeliveryFixture.LOCAL,
                                DeliveryFixture.LOCAL + "/" + DeliveryFixture.USER,
                                "moved.test",
                                "moved.test/ann");
            }
        }
    }

    /**
     * An attempt under way at shutdown gets what is left of the shutdown grace (the fixture's 2 s) to hear its
     * outcome, not time on top of it; unanswered, its message stays queued and goes at the next start.
     */
    @Test
    void anAttemptUnderWayAtShutdownEndsWithinTheGrace() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "1m"))) {
            ScriptedSmtpPeer hanging =
                    tern.exchanger("slow.test", "127.0.0.2", tern.peer()).reply(".", ScriptedSmtpPeer.HANG);
            QueueId id = tern.submit(DeliveryFixture.SENDER, List.of("bob@slow.test"), "hang");
            await().atMost(WAIT).until(() -> hanging.attempts().size() == 1);

            long start = System.nanoTime();
            hanging.reply(".", "250 2.0.0 taken");
            tern.restart();
            Duration stopping = Duration.ofNanos(System.nanoTime() - start);

            assertThat(stopping)
                    .as("the grace and a little, not ten seconds more")
                    .isLessThan(Duration.ofSeconds(6));
            assertThat(tern.queued(id)).as("its outcome unheard, still queued").isTrue();
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(hanging.messages()).hasSize(1));
        }
    }
}
