package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.it.delivery.AdminHttp.Answer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API of a running Tern: mail put in by a plain SMTP client, a mail exchanger that defers
 * (451) until the test lets it accept, DNS from an in-test responder, and the API called with the JDK's
 * HTTP client. Retries are ten minutes apart, so whatever is delivered within the test was flushed,
 * released or requeued by the operator.
 */
class AdminApiIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String BUSY = "451 4.3.0 mailbox busy";

    @TempDir
    Path dataDir;

    @Test
    void listsAndShowsADeferredMessageThenFlushDeliversItAtOnce() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = deferring(tern);
            AdminHttp admin = AdminHttp.of(tern);
            QueueId id = deferredMessage(tern, admin, "flush me");

            Answer list = admin.get("/admin/queue?state=deferred&domain=busy.test&sender=alice");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.json().get("total").asInt()).isEqualTo(1);
            JsonNode entry = list.json().get("messages").get(0);
            assertThat(entry.get("queue_id").asText()).isEqualTo(id.value());
            assertThat(entry.get("sender").asText()).isEqualTo(DeliveryFixture.SENDER);
            assertThat(entry.get("attempts").asInt()).isEqualTo(1);
            assertThat(entry.get("last_error").asText()).contains("mailbox busy");
            assertThat(entry.get("recipients").get(0).get("address").asText()).isEqualTo("bob@busy.test");
            assertThat(entry.get("recipients").get(0).get("state").asText()).isEqualTo("deferred");
            assertThat(entry.get("recipients")
                            .get(0)
                            .get("last_attempt")
                            .get("reply")
                            .asText())
                    .isEqualTo("451 4.3.0 mailbox busy");
            assertThat(admin.get("/admin/queue?state=held").json().get("total").asInt())
                    .isZero();

            Answer shown = admin.get("/admin/queue/" + id.value());
            assertThat(shown.status()).isEqualTo(200);
            assertThat(shown.json().get("headers").asText()).contains("Subject: flush me\r\n");
            assertThat(shown.json().get("headers").asText()).doesNotContain("Body of");
            assertThat(shown.json().get("envelope").get("body").asText()).isEqualTo("7bit");

            peer.rcptReply("bob@busy.test", "250 2.1.5 Ok");
            Answer flushed = admin.post("/admin/queue/flush?domain=busy.test");
            assertThat(flushed.status()).isEqualTo(200);
            assertThat(flushed.json().get("recipients").asInt()).isEqualTo(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(admin.get("/admin/queue").json().get("total").asInt()).isZero();
        }
    }

    @Test
    void aHeldMessageSurvivesARestartAndIsDeliveredOnlyOnceReleased() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = deferring(tern);
            AdminHttp admin = AdminHttp.of(tern);
            QueueId id = deferredMessage(tern, admin, "hold me");

            Answer held = admin.post("/admin/queue/" + id.value() + "/hold");
            assertThat(held.status()).isEqualTo(200);
            assertThat(held.json().get("outcome").asText()).isEqualTo("held");
            assertThat(admin.post("/admin/queue/" + id.value() + "/flush").status())
                    .as("a held message is not flushed")
                    .isEqualTo(409);
            peer.rcptReply("bob@busy.test", "250 2.1.5 Ok");

            tern.restart();
            AdminHttp again = AdminHttp.of(tern);
            assertThat(state(again, id)).isEqualTo("held");
            assertThat(again.post("/admin/queue/requeue").json().get("messages").asInt())
                    .as("requeue leaves held messages alone")
                    .isZero();
            await().during(Duration.ofMillis(800)).atMost(WAIT).untilAsserted(() -> assertThat(peer.messages())
                    .isEmpty());

            assertThat(again.post("/admin/queue/" + id.value() + "/release")
                            .json()
                            .get("outcome")
                            .asText())
                    .isEqualTo("released");
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> !tern.queued(id));
        }
    }

    @Test
    void aDeletedMessageLeavesNoTraceAfterARestart() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = deferring(tern);
            AdminHttp admin = AdminHttp.of(tern);
            QueueId id = deferredMessage(tern, admin, "delete me");

            Answer deleted = admin.delete("/admin/queue/" + id.value());
            assertThat(deleted.status()).isEqualTo(200);
            assertThat(deleted.json().get("outcome").asText()).isEqualTo("deleted");
            assertThat(admin.get("/admin/queue/" + id.value()).status()).isEqualTo(404);

            tern.restart();
            AdminHttp again = AdminHttp.of(tern);
            assertThat(again.get("/admin/queue").json().get("total").asInt()).isZero();
            assertThat(tern.queued(id)).isFalse();
            assertThat(again.get("/admin/queue/" + id.value()).status()).isEqualTo(404);
            tern.expectNoMail(DeliveryFixture.SENDER);
            assertThat(peer.messages()).isEmpty();
        }
    }

    @Test
    void bounceReturnsTheMessageToTheSenderWithAReport() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            deferring(tern);
            AdminHttp admin = AdminHttp.of(tern);
            QueueId id = deferredMessage(tern, admin, "return me");

            Answer bounced = admin.post("/admin/queue/" + id.value() + "/bounce");
            assertThat(bounced.status()).isEqualTo(200);
            assertThat(bounced.json().get("recipients").asInt()).isEqualTo(1);

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                    .hasSize(1));
            String dsn = tern.mailbox(DeliveryFixture.SENDER).get(0);
            assertThat(Dsns.isReport(dsn)).as(dsn).isTrue();
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            assertThat(Dsns.statuses(dsn)).containsExactly("5.0.0");
            assertThat(dsn)
                    .contains("returned to the sender by the operator of Tern")
                    .contains("Subject: return me");
            await().atMost(WAIT).until(() -> !tern.queued(id));
        }
    }

    @Test
    void aMissingOrWrongTokenIsRefusedWhileMetricsAndHealthStayOpen() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            AdminHttp admin = AdminHttp.of(tern);
            for (AdminHttp refused : List.of(admin.withToken(null), admin.withToken("not-the-token-at-all"))) {
                Answer a = refused.get("/admin/queue");
                assertThat(a.status()).isEqualTo(401);
                assertThat(a.response().headers().firstValue("WWW-Authenticate"))
                        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(a.json().get("error").asText()).isEqualTo("unauthorized");
                assertThat(refused.post("/admin/queue/NOSUCHID/hold").status()).isEqualTo(401);
            }
            assertThat(admin.withToken(null).get("/metrics").status()).isEqualTo(200);
            assertThat(admin.withToken(null).get("/health/live").status()).isEqualTo(200);
            assertThat(admin.withToken(null).get("/health/ready").status()).isEqualTo(200);

            Path tokenFile = dataDir.resolve("admin-token");
            assertThat(Files.getPosixFilePermissions(tokenFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThat(Files.readString(tokenFile)).matches("admin:[A-Za-z0-9_-]{43}\n");
            String metrics = admin.get("/metrics").response().body();
            assertThat(metrics).contains("tern_admin_actions_total{action=\"list\",outcome=\"unauthorized\"} 2.0");
        }
    }

    @Test
    void badRequestsGetPreciseJsonErrors() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            AdminHttp admin = AdminHttp.of(tern);
            assertBadParameter(admin.get("/admin/queue?limit=1001"), "limit");
            assertBadParameter(admin.get("/admin/queue?limit=ten"), "limit");
            assertBadParameter(admin.get("/admin/queue?offset=-1"), "offset");
            assertBadParameter(admin.get("/admin/queue?state=frozen"), "state");
            assertBadParameter(admin.get("/admin/queue?order=sideways"), "order");
            assertBadParameter(admin.get("/admin/queue?colour=blue"), "colour");
            assertBadParameter(admin.post("/admin/queue/not-an-id!/hold"), "id");

            Answer missing = admin.post("/admin/queue/NOSUCHID/hold");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.json().get("error").asText()).isEqualTo("not_found");
            assertThat(admin.get("/admin/nothing").status()).isEqualTo(404);

            Answer wrongMethod = admin.send("PUT", "/admin/queue/NOSUCHID/hold");
            assertThat(wrongMethod.status()).isEqualTo(405);
            assertThat(wrongMethod.response().headers().firstValue("Allow")).hasValue("POST");
            assertThat(admin.send("PATCH", "/admin/queue").response().headers().firstValue("Allow"))
                    .hasValue("GET");

            Answer page = admin.get("/admin/queue?limit=1000&offset=0&order=newest");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().get("order").asText()).isEqualTo("newest");
        }
    }

    private static void assertBadParameter(Answer a, String parameter) {
        assertThat(a.status()).as(a.response().body()).isEqualTo(400);
        assertThat(a.json().get("error").asText()).isEqualTo("bad_parameter");
        assertThat(a.json().get("parameter").asText()).isEqualTo(parameter);
    }

    /** busy.test's one exchanger, answering 451 to bob until told otherwise. */
    private static ScriptedSmtpPeer deferring(DeliveryFixture tern) {
        return tern.exchanger("busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", BUSY));
    }

    /** A message to bob@busy.test, once its first attempt deferred it. */
    private static QueueId deferredMessage(DeliveryFixture tern, AdminHttp admin, String subject) {
        QueueId id = tern.submit("bob@busy.test", subject);
        await().atMost(WAIT).until(() -> state(admin, id).equals("deferred"));
        return id;
    }

    /** The message's state as the API lists it, or "gone". */
    private static String state(AdminHttp admin, QueueId id) {
        Answer a = admin.get("/admin/queue/" + id.value());
        return a.status() == 404 ? "gone" : a.json().get("state").asText();
    }
}
