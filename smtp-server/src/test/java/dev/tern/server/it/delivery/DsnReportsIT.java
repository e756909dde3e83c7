package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery status notifications say what happened, from what the spool recorded (RFC 3464, RFC 3461). */
class DsnReportsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SENDER = DeliveryFixture.SENDER;

    @TempDir
    Path dataDir;

    @Test
    void aRefusalIsReportedWithTheRemoteHostAndItsReplyAfterARestart() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "1m"))) {
            ScriptedSmtpPeer refusing = tern.peer()
                    .rcptReply("bob@refuse.test", "550-5.1.1 <bob@refuse.test>: no such user\r\n550 5.1.1 try bob2");
            ScriptedSmtpPeer busy = tern.peer().rcptReply("carol@busy.test", "451 4.3.0 come back later");
            tern.host("mx.refuse.test", "127.0.0.2", refusing);
            tern.host("mx.busy.test", "127.0.0.3", busy);
            tern.dns().mx("refuse.test", 10, "mx.refuse.test").mx("busy.test", 10, "mx.busy.test");

            QueueId id = tern.submit(SENDER, List.of("bob@refuse.test", "carol@busy.test"), "refused");

            // bob failed for good, carol waits: the message stays, and no report is built yet.
            await().atMost(WAIT).until(() -> state(tern, id, 0) == RecipientState.Kind.FAILED);
            await().atMost(WAIT).until(() -> DeliveryFixture.rcptCount(busy) >= 1);
            assertThat(tern.mailbox(SENDER)).isEmpty();
            tern.restart();
            busy.rcptReply("carol@busy.test", "250 2.1.5 Ok");

            // The report is built after the restart, from the spool's record of bob's refusal.
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            String dsn = tern.mailbox(SENDER).get(0);
            assertThat(Dsns.isReport(dsn)).as(dsn).isTrue();
            assertThat(Dsns.fields(dsn, "Final-Recipient")).containsExactly("rfc822; bob@refuse.test");
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            // RFC 3464 2.3.4-2.3.6: the remote's enhanced code, its name, its reply as received.
            assertThat(Dsns.statuses(dsn)).containsExactly("5.1.1");
            assertThat(Dsns.fields(dsn, "Remote-MTA")).containsExactly("dns; mx.refuse.test");
            assertThat(Dsns.fields(dsn, "Diagnostic-Code"))
                    .containsExactly("smtp; 550-5.1.1 <bob@refuse.test>: no such user 550 5.1.1 try bob2");
            assertThat(dsn)
                    .contains(
                            "Diagnostic-Code: smtp; 550-5.1.1 <bob@refuse.test>: no such user\r\n 550 5.1.1 try bob2\r\n");
            await().atMost(WAIT).until(() -> !tern.queued(id));
        }
    }

    private static RecipientState.Kind state(DeliveryFixture tern, QueueId id, int recipient) {
        return tern.server()
                .spool()
                .find(id)
                .map(m -> m.states().get(recipient).kind())
                .orElse(null);
    }
}
