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

    /**
     * bob fails for good while carol waits for her retry: bob's report comes at once (as Postfix reports after
     * each delivery pass), carol's later delivery after a restart brings no second one (the spool keeps that
     * bob was reported).
     */
    @Test
    void aRefusalIsReportedAtOnceWithTheRemoteHostAndItsReplyAndNotAgainAfterARestart() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("queue-lifetime", "1m"))) {
            String refusal = "550-5.1.1 <bob@refuse.test>: no such user\r\n550 5.1.1 try bob2";
            tern.exchanger("refuse.test", "127.0.0.2", tern.peer().rcptReply("bob@refuse.test", refusal));
            ScriptedSmtpPeer busy = tern.exchanger(
                    "busy.test", "127.0.0.3", tern.peer().rcptReply("carol@busy.test", "451 4.3.0 come back later"));

            QueueId id = tern.submit(SENDER, List.of("bob@refuse.test", "carol@busy.test"), "refused");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            assertThat(state(tern, id, 1)).as("carol still waits").isEqualTo(RecipientState.Kind.DEFERRED);
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
                            "Diagnostic-Code: smtp; 550-5.1.1 <bob@refuse.test>: no such user\n 550 5.1.1 try bob2\n");

            tern.restart();
            busy.rcptReply("carol@busy.test", "250 2.1.5 Ok");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            // Every message done, reports included: a second report of bob would be in the mailbox by now.
            await().atMost(WAIT).until(() -> tern.server().spool().size() == 0);
            assertThat(tern.mailbox(SENDER))
                    .as("bob's report once, carol delivered")
                    .hasSize(1);
        }
    }

    @Test
    void aSuccessHereIsReportedAsDelivered() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            QueueId id =
                    tern.submit(SENDER, List.of("bob@" + DeliveryFixture.LOCAL + " NOTIFY=SUCCESS"), "success here");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            String dsn = tern.mailbox(SENDER).get(0);
            assertThat(Dsns.isReport(dsn)).as(dsn).isTrue();
            // RFC 3461 5.2.3 (a): put in the mailbox here.
            assertThat(Dsns.actions(dsn)).containsExactly("delivered");
            assertThat(Dsns.statuses(dsn)).containsExactly("2.0.0");
            assertThat(Dsns.fields(dsn, "Remote-MTA")).isEmpty();
            assertThat(tern.mailbox("bob@" + DeliveryFixture.LOCAL)).hasSize(1);
            await().atMost(WAIT).until(() -> !tern.queued(id));
        }
    }

    @Test
    void aSuccessHandedToAPeerWithoutDsnIsReportedAsRelayed() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("nodsn.test", "127.0.0.2", tern.peer().extensions("PIPELINING", "8BITMIME"));

            tern.submit(SENDER, List.of("bob@nodsn.test NOTIFY=SUCCESS,FAILURE"), "relayed");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            String dsn = tern.mailbox(SENDER).get(0);
            // RFC 3461 5.2.2: NOTIFY could not be passed on, so we report the hand-over ourselves.
            assertThat(peer.sessions().get(0).commands()).contains("RCPT TO:<bob@nodsn.test>");
            assertThat(Dsns.actions(dsn)).containsExactly("relayed");
            assertThat(Dsns.fields(dsn, "Remote-MTA")).containsExactly("dns; mx.nodsn.test");
            assertThat(Dsns.fields(dsn, "Diagnostic-Code")).containsExactly("smtp; 250 2.0.0 Ok: queued as SCRIPTED");
        }
    }

    @Test
    void aSuccessHandedToAPeerWithDsnIsLeftToIt() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("dsn.test", "127.0.0.2", tern.peer().extensions("PIPELINING", "DSN"));

            QueueId id = tern.submit(SENDER, List.of("bob@dsn.test NOTIFY=SUCCESS"), "left to the next hop");

            await().atMost(WAIT).until(() -> !tern.queued(id));
            // RFC 3461 5.2.1: the next hop got NOTIFY=SUCCESS and reports delivery itself.
            assertThat(peer.sessions().get(0).commands()).contains("RCPT TO:<bob@dsn.test> NOTIFY=SUCCESS");
            tern.expectNoMail(SENDER);
        }
    }

    @Test
    void notifyNeverSuppressesTheFailureReport() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.exchanger(
                    "refuse.test", "127.0.0.2", tern.peer().rcptReply("bob@refuse.test", "550 5.1.1 no such user"));

            QueueId id = tern.submit(SENDER, List.of("bob@refuse.test NOTIFY=NEVER"), "never");

            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(DeliveryFixture.rcptCount(peer)).isEqualTo(1);
            tern.expectNoMail(SENDER);
        }
    }

    @Test
    void warnsOnceAboutADelayEvenAcrossARestart() throws Exception {
        Map<String, String> keys = Map.of("queue-lifetime", "1m", "delay-warning", "500ms");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, keys)) {
            ScriptedSmtpPeer busy = tern.exchanger(
                    "busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", "451 4.3.0 come back later"));

            QueueId id = tern.submit(SENDER, List.of("bob@busy.test NOTIFY=DELAY,FAILURE"), "delayed");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            String dsn = tern.mailbox(SENDER).get(0);
            assertThat(Dsns.actions(dsn)).containsExactly("delayed");
            assertThat(Dsns.statuses(dsn)).containsExactly("4.3.0");
            assertThat(Dsns.fields(dsn, "Remote-MTA")).containsExactly("dns; mx.busy.test");
            assertThat(Dsns.fields(dsn, "Will-Retry-Until")).hasSize(1);
            // The warning is marked in the spool: a restart does not send it again.
            await().atMost(WAIT).until(() -> tern.server()
                    .spool()
                    .find(id)
                    .orElseThrow()
                    .states()
                    .get(0)
                    .notified()
                    .contains(RecipientState.Notice.DELAY));
            long before = DeliveryFixture.rcptCount(busy);
            tern.restart();
            await().atMost(WAIT).until(() -> DeliveryFixture.rcptCount(busy) >= before + 2);
            assertThat(tern.mailbox(SENDER)).as("still the one warning").hasSize(1);
            assertThat(tern.queued(id)).isTrue();
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
