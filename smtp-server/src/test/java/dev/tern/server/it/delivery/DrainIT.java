package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.relay.queue.QueueDrain;
import dev.tern.relay.testing.LogLines;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.app.TernServer;
import dev.tern.server.it.delivery.AdminHttp.Answer;
import dev.tern.smtp.queue.QueueId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/queue/drain} on a running Tern whose mail is deferred (its mail exchanger answers 451
 * and retries are ten minutes apart): every message goes to another MTA (a scripted peer with DSN, on
 * loopback) with its envelope, once; the node stops accepting and is not ready; a recipient the peer
 * refuses for good keeps its message here, across a restart too.
 */
class DrainIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String BUSY = "451 4.3.0 mailbox busy";
    private static final int MESSAGES = 6;

    @TempDir
    Path dataDir;

    @Test
    void everyMessageGoesToThePeerOnceWithItsEnvelopeAndTheNodeStopsAccepting() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.exchanger(
                    "busy.test",
                    "127.0.0.2",
                    tern.peer().rcptReply("bob@busy.test", BUSY).rcptReply("stuck@busy.test", BUSY));
            ScriptedSmtpPeer target = tern.peer()
                    .extensions("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "DSN")
                    .rcptReply("stuck@busy.test", "550 5.1.1 no such user here");
            AdminHttp admin = AdminHttp.of(tern);
            InetSocketAddress mx = tern.server().address("mx");
            List<QueueId> ids = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                ids.add(Submitter.submitWith(
                        mx,
                        "<" + DeliveryFixture.SENDER + "> RET=HDRS ENVID=drain+2B" + i,
                        DeliveryFixture.SENDER,
                        List.of("bob@busy.test NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2B" + i + "@busy.test"),
                        "drained " + i));
            }
            QueueId stuck = tern.submit(DeliveryFixture.SENDER, List.of("bob@busy.test", "stuck@busy.test"), "stuck");
            await().atMost(WAIT)
                    .until(() -> admin.get("/admin/queue?state=deferred")
                                    .json()
                                    .get("total")
                                    .asInt()
                            == MESSAGES + 1);

            assertThat(admin.withToken(null)
                            .post("/admin/queue/drain?to=127.0.0.1:" + target.port())
                            .status())
                    .isEqualTo(401);
            assertThat(admin.get("/admin/queue/drain").status())
                    .as("no drain yet")
                    .isEqualTo(404);
            try (LogLines log = LogLines.of(TernServer.class)) {
                Answer started = admin.post("/admin/queue/drain?tls=none&to=127.0.0.1:" + target.port());
                assertThat(started.status()).as(started.response().body()).isEqualTo(200);
                assertThat(started.json().get("target").asText()).isEqualTo("127.0.0.1:" + target.port());
                assertThat(admin.post("/admin/queue/drain?to=127.0.0.1:" + target.port())
                                .status())
                        .as("one drain per node")
                        .isEqualTo(409);
                assertThat(log.lines())
                        .as("the refused one is not logged as begun")
                        .filteredOn(l -> l.startsWith("draining:"))
                        .hasSize(1);
            }

            await().atMost(WAIT).until(() -> admin.get("/admin/queue/drain")
                    .json()
                    .get("finished")
                    .asBoolean());
            JsonNode progress = admin.get("/admin/queue/drain").json();
            assertThat(progress.get("messages").asInt()).isEqualTo(MESSAGES + 1);
            assertThat(progress.get("handed_over").asInt()).isEqualTo(MESSAGES);
            assertThat(progress.get("recipients").asInt()).isEqualTo(MESSAGES + 1);
            assertThat(progress.get("refused").asInt()).isEqualTo(1);
            assertThat(progress.get("failed").asInt()).isZero();
            await().atMost(WAIT)
                    .until(() ->
                            admin.get("/admin/queue/drain").json().get("left").asInt() == 1);

            // Once each, with the envelope as it was given to this node.
            Map<String, ScriptedSmtpPeer.Received> bySubject =
                    target.messages().stream().collect(Collectors.toMap(DrainIT::subject, Function.identity()));
            assertThat(target.messages()).hasSize(MESSAGES + 1);
            for (int i = 0; i < MESSAGES; i++) {
                ScriptedSmtpPeer.Received r = bySubject.get("drained " + i);
                assertThat(r).as("message %d", i).isNotNull();
                assertThat(r.mailFrom())
                        .startsWith("FROM:<" + DeliveryFixture.SENDER + ">")
                        .contains("RET=HDRS")
                        .contains("ENVID=drain+2B" + i);
                assertThat(r.rcptTo())
                        .singleElement()
                        .asString()
                        .startsWith("TO:<bob@busy.test>")
                        .contains("NOTIFY=SUCCESS,FAILURE")
                        .contains("ORCPT=rfc822;bob+2B" + i + "@busy.test");
            }
            assertThat(bySubject.get("stuck").rcptTo()).hasSize(1);
            assertThat(target.mostConcurrentSessions()).isBetween(1, QueueDrain.CONNECTIONS);

            // The node takes no more mail and says so.
            assertThatThrownBy(() -> connect(mx)).isInstanceOf(IOException.class);
            assertThat(admin.withToken(null).get("/health/ready").status()).isEqualTo(503);
            assertThat(admin.withToken(null).get("/health/ready").response().body())
                    .contains("draining");

            // Only the refused recipient's message stays; the peer announced DSN, so no "relayed" report.
            JsonNode queue = admin.get("/admin/queue").json();
            assertThat(queue.get("total").asInt()).isEqualTo(1);
            JsonNode left = queue.get("messages").get(0);
            assertThat(left.get("queue_id").asText()).isEqualTo(stuck.value());
            for (QueueId id : ids) {
                await().atMost(WAIT).until(() -> !tern.queued(id));
            }
            tern.expectNoMail(DeliveryFixture.SENDER);

            tern.restart();
            AdminHttp again = AdminHttp.of(tern);
            assertThat(again.get("/admin/queue").json().get("total").asInt()).isEqualTo(1);
            assertThat(ids).noneMatch(tern::queued);
            assertThat(tern.queued(stuck)).isTrue();
            JsonNode recipients =
                    again.get("/admin/queue/" + stuck.value()).json().get("recipients");
            assertThat(recipients.get(0).get("state").asText()).isEqualTo("delivered");
            assertThat(recipients.get(1).get("state").asText()).isEqualTo("deferred");
            // The queue says why it is left: the peer's refusal, not the reply of the attempt before the drain.
            assertThat(recipients.get(1).get("delay_reason").asText())
                    .isEqualTo("not taken by the drain: 550 5.1.1 no such user here");
            // Deferred, so of class 4 (a report to the sender must not say "delayed" with a 5.x.x), and no
            // Remote-MTA: the drain's peer is a node of this deployment, not a host the mail was meant for.
            assertThat(recipients.get(1).get("last_attempt").get("status").asText())
                    .isEqualTo("4.1.1");
            assertThat(recipients.get(1).get("last_attempt").get("remote_mta").isNull())
                    .isTrue();
            assertThat(target.messages()).as("nothing sent twice").hasSize(MESSAGES + 1);
        }
    }

    @Test
    void aRecipientThePeerKeepsDeferringIsTriedThreeTimesWithPausesAndStays() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.exchanger("busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", BUSY));
            ScriptedSmtpPeer target = tern.peer().rcptReply("bob@busy.test", "452 4.2.2 mailbox full");
            AdminHttp admin = AdminHttp.of(tern);
            QueueId id = tern.submit("bob@busy.test", "deferred twice");
            await().atMost(WAIT)
                    .until(() -> admin.get("/admin/queue?state=deferred")
                                    .json()
                                    .get("total")
                                    .asInt()
                            == 1);

            long started = System.nanoTime();
            assertThat(admin.post("/admin/queue/drain?tls=none&to=127.0.0.1:" + target.port())
                            .status())
                    .isEqualTo(200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                            admin.get("/admin/queue/drain").response().body())
                    .contains("\"finished\":true"));
            // Not hammered: 1 s before the second try, 4 s before the third.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
            JsonNode progress = admin.get("/admin/queue/drain").json();
            assertThat(progress.get("failed").asInt()).isEqualTo(1);
            assertThat(progress.get("handed_over").asInt()).isZero();
            assertThat(progress.get("left").asInt()).isEqualTo(1);
            assertThat(DeliveryFixture.rcptCount(target)).isEqualTo(QueueDrain.MAX_TRIES);
            assertThat(target.messages()).isEmpty();
            assertThat(tern.queued(id)).isTrue();
            JsonNode recipient = admin.get("/admin/queue/" + id.value())
                    .json()
                    .get("recipients")
                    .get(0);
            // Deferred as it was, a drain being no delivery attempt, with the peer's answer as its last one.
            assertThat(recipient.get("state").asText()).isEqualTo("deferred");
            assertThat(recipient.get("attempts").asInt()).isEqualTo(1);
            assertThat(recipient.get("delay_reason").asText())
                    .isEqualTo("not taken by the drain: 452 4.2.2 mailbox full");
        }
    }

    @Test
    void aSecondTernTakesTheQueueHeldMailTooAndDeliversItWithTheSameEnvelope(@TempDir Path otherDir) throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES);
                DeliveryFixture other = DeliveryFixture.start(otherDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.exchanger("busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", BUSY));
            ScriptedSmtpPeer mailbox = other.exchanger(
                    "busy.test",
                    "127.0.0.3",
                    other.peer().extensions("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "DSN"));
            AdminHttp admin = AdminHttp.of(tern);
            InetSocketAddress mx = tern.server().address("mx");
            QueueId plain = tern.submit("bob@busy.test", "plain");
            QueueId held = Submitter.submitWith(
                    mx,
                    "<" + DeliveryFixture.SENDER + "> RET=FULL ENVID=held+2B1",
                    DeliveryFixture.SENDER,
                    List.of("bob@busy.test NOTIFY=FAILURE ORCPT=rfc822;bob@busy.test"),
                    "held");
            await().atMost(WAIT)
                    .until(() -> admin.get("/admin/queue?state=deferred")
                                    .json()
                                    .get("total")
                                    .asInt()
                            == 2);
            assertThat(admin.post("/admin/queue/" + held.value() + "/hold").status())
                    .isEqualTo(200);

            InetSocketAddress to = other.server().address("mx");
            Answer started = admin.post("/admin/queue/drain?to=127.0.0.1:" + to.getPort());
            assertThat(started.status()).as(started.response().body()).isEqualTo(200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                            admin.get("/admin/queue/drain").response().body())
                    .contains("\"finished\":true", "\"handed_over\":2", "\"left\":0"));

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(mailbox.messages()).hasSize(2));
            Map<String, ScriptedSmtpPeer.Received> bySubject =
                    mailbox.messages().stream().collect(Collectors.toMap(DrainIT::subject, Function.identity()));
            assertThat(bySubject.get("held").mailFrom()).contains("RET=FULL", "ENVID=held+2B1");
            assertThat(bySubject.get("held").rcptTo())
                    .singleElement()
                    .asString()
                    .contains("NOTIFY=FAILURE", "ORCPT=rfc822;bob@busy.test");
            assertThat(bySubject.get("plain").mailFrom()).doesNotContain("ENVID");
            assertThat(tern.queued(plain)).isFalse();
            assertThat(tern.queued(held)).isFalse();
            tern.restart();
            assertThat(AdminHttp.of(tern)
                            .get("/admin/queue")
                            .json()
                            .get("total")
                            .asInt())
                    .isZero();
            assertThat(mailbox.messages()).as("nothing sent twice").hasSize(2);
        }
    }

    @Test
    void aNodeStartedWithDeliveryOffOnADeadNodesVolumeCanStillBeDrained() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("enabled", "false"))) {
            ScriptedSmtpPeer target = tern.peer();
            AdminHttp admin = AdminHttp.of(tern);
            QueueId id = tern.submit("bob@busy.test", "kept while delivery is off");
            assertThat(admin.get("/admin/queue").json().get("total").asInt()).isEqualTo(1);

            assertThat(admin.post("/admin/queue/drain?tls=none&to=127.0.0.1:" + target.port())
                            .status())
                    .isEqualTo(200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                            admin.get("/admin/queue/drain").response().body())
                    .contains("\"finished\":true", "\"handed_over\":1", "\"left\":0"));
            assertThat(target.messages()).singleElement().satisfies(r -> assertThat(subject(r))
                    .isEqualTo("kept while delivery is off"));
            assertThat(tern.queued(id)).isFalse();
        }
    }

    @Test
    void aBadTargetIsABadParameter() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            AdminHttp admin = AdminHttp.of(tern);
            for (String bad : List.of("", "?to=nohost", "?to=127.0.0.1:0", "?to=127.0.0.1:x", "?to=:25")) {
                Answer a = admin.post("/admin/queue/drain" + bad);
                assertThat(a.status()).as(bad).isEqualTo(400);
                assertThat(a.json().get("parameter").asText()).isEqualTo("to");
            }
            Answer tls = admin.post("/admin/queue/drain?to=127.0.0.1:25&tls=sometimes");
            assertThat(tls.status()).isEqualTo(400);
            assertThat(tls.json().get("parameter").asText()).isEqualTo("tls");
            assertThat(admin.withToken(null).get("/health/ready").status())
                    .as("a refused drain leaves the node taking mail")
                    .isEqualTo(200);
        }
    }

    private static void connect(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2000);
        }
    }

    private static String subject(ScriptedSmtpPeer.Received r) {
        String text = new String(r.content(), StandardCharsets.UTF_8);
        int at = text.indexOf("Subject: ");
        return text.substring(at + 9, text.indexOf("\r\n", at));
    }
}
