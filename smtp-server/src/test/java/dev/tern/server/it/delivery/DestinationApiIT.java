package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.it.delivery.AdminHttp.Answer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destinations resource of the admin API ({@code /admin/destinations}) of a running Tern: mail put in
 * by a plain SMTP client, mail exchangers found through an in-test DNS responder, receivers that count
 * their connections. Retries are ten minutes apart, so whatever is delivered within the test went
 * because a suspension ended.
 */
class DestinationApiIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void aSuspendedDestinationGetsNoConnectionEvenAfterARestartUntilResumed() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = tern.exchanger("hold.test", "127.0.0.2", tern.peer());
            AdminHttp admin = AdminHttp.of(tern);
            assertThat(admin.get("/admin/destinations").json().get("total").asInt())
                    .isZero();

            Answer suspended = admin.post("/admin/destinations/Hold.Test/suspend", "{\"reason\": \"maintenance\"}");
            assertThat(suspended.status()).as(suspended.response().body()).isEqualTo(200);
            assertThat(suspended.json().get("outcome").asText()).isEqualTo("suspended");
            assertThat(suspended.json().get("target").asText()).isEqualTo("hold.test");
            JsonNode suspension = suspended.json().get("destination").get("suspension");
            assertThat(suspension.get("reason").asText()).isEqualTo("maintenance");
            assertThat(suspension.get("manual").asBoolean()).isTrue();
            assertThat(suspension.get("until").isNull()).isTrue();
            assertThat(Files.readString(dataDir.resolve("suspensions"))).contains("hold.test");

            QueueId id = tern.submit("bob@hold.test", "wait for it");
            await().atMost(WAIT)
                    .until(() -> destination(admin, "hold.test").get("queued").asInt() == 1);
            JsonNode listed = only(admin.get("/admin/destinations"), "hold.test");
            assertThat(listed.get("state").asText()).isEqualTo("suspended");
            assertThat(listed.get("suspension").get("reason").asText()).isEqualTo("maintenance");
            assertThat(listed.get("concurrency_limit").asInt()).isEqualTo(2);
            assertThat(listed.get("in_flight").asInt()).isZero();
            assertThat(listed.get("max_rate").isNull()).isTrue();
            assertThat(listed.get("recent").get("window_seconds").asInt()).isEqualTo(600);
            expectNoConnection(peer);

            tern.restart();
            AdminHttp again = AdminHttp.of(tern);
            JsonNode shown = destination(again, "hold.test");
            assertThat(shown.get("state").asText())
                    .as("still suspended after a restart")
                    .isEqualTo("suspended");
            assertThat(shown.get("suspension").get("reason").asText()).isEqualTo("maintenance");
            assertThat(shown.get("queued").asInt()).isEqualTo(1);
            expectNoConnection(peer);

            Instant resumedAt = Instant.now();
            Answer resumed = again.post("/admin/destinations/hold.test/resume");
            assertThat(resumed.status()).isEqualTo(200);
            assertThat(resumed.json().get("outcome").asText()).isEqualTo("resumed");
            assertThat(resumed.json().get("destination").get("state").asText()).isEqualTo("active");
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(Duration.between(resumedAt, Instant.now()))
                    .as("at once, not at the next retry ten minutes on")
                    .isLessThan(WAIT);
            await().atMost(WAIT).until(() -> !tern.queued(id));
            await().atMost(WAIT)
                    .until(() -> destination(again, "hold.test")
                                    .get("recent")
                                    .get("delivered")
                                    .asInt()
                            == 1);
            assertThat(again.post("/admin/destinations/hold.test/resume")
                            .json()
                            .get("outcome")
                            .asText())
                    .isEqualTo("not suspended");
            assertThat(Files.readString(dataDir.resolve("suspensions"))).doesNotContain("hold.test");

            String metrics = again.get("/metrics").response().body();
            assertThat(metrics)
                    .contains("tern_admin_actions_total{action=\"resume\",outcome=\"ok\"} 2.0")
                    .contains("tern_admin_actions_total{action=\"destination_show\",outcome=\"ok\"}");
        }
    }

    @Test
    void aSuspensionForADurationEndsByItselfAndItsMailGoesOut() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = tern.exchanger("brief.test", "127.0.0.2", tern.peer());
            AdminHttp admin = AdminHttp.of(tern);

            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Answer suspended = admin.post("/admin/destinations/brief.test/suspend?for=2s&reason=short+break");
            assertThat(suspended.status()).as(suspended.response().body()).isEqualTo(200);
            JsonNode suspension = suspended.json().get("destination").get("suspension");
            assertThat(suspension.get("reason").asText()).isEqualTo("short break");
            Instant until = Instant.parse(suspension.get("until").asText());
            // In whole seconds, rounded up: never before the time asked.
            assertThat(until).isBetween(before.plusSeconds(2), Instant.now().plusSeconds(3));

            QueueId id = tern.submit("bob@brief.test", "after the break");
            await().atMost(WAIT)
                    .until(() -> destination(admin, "brief.test").get("queued").asInt() == 1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(Instant.now()).as("not before the suspension ended").isAfterOrEqualTo(until);
            assertThat(peer.sessions())
                    .as("one connection: nothing was tried while suspended")
                    .hasSize(1);
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(destination(admin, "brief.test").get("state").asText()).isEqualTo("active");
        }
    }

    @Test
    void untilSetsTheEndOfASuspension() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            AdminHttp admin = AdminHttp.of(tern);
            String at = Instant.now()
                    .plus(Duration.ofHours(2))
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString();

            Answer suspended = admin.post("/admin/destinations/later.test/suspend", "{\"until\": \"" + at + "\"}");

            assertThat(suspended.status()).as(suspended.response().body()).isEqualTo(200);
            JsonNode suspension = suspended.json().get("destination").get("suspension");
            assertThat(suspension.get("until").asText()).isEqualTo(at);
            assertThat(suspension.get("reason").asText()).isEqualTo("suspended by hand");
        }
    }

    @Test
    void aMissingOrWrongTokenIsRefused() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            AdminHttp admin = AdminHttp.of(tern);
            for (AdminHttp refused : List.of(admin.withToken(null), admin.withToken("not-the-token-at-all"))) {
                for (Answer a : List.of(
                        refused.get("/admin/destinations"),
                        refused.get("/admin/destinations/x.test"),
                        refused.post("/admin/destinations/x.test/suspend?for=1h"),
                        refused.post("/admin/destinations/x.test/resume"))) {
                    assertThat(a.status()).isEqualTo(401);
                    assertThat(a.json().get("error").asText()).isEqualTo("unauthorized");
                }
            }
            assertThat(admin.get("/admin/destinations/x.test").status())
                    .as("nothing was suspended")
                    .isEqualTo(404);
            assertThat(admin.get("/metrics").response().body())
                    .contains("tern_admin_actions_total{action=\"suspend\",outcome=\"unauthorized\"} 2.0");
        }
    }

    @Test
    void badRequestsGetPreciseJsonErrors() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            AdminHttp admin = AdminHttp.of(tern);
            Answer unknown = admin.get("/admin/destinations/nowhere.test");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.json().get("error").asText()).isEqualTo("not_found");
            assertThat(unknown.json().get("message").asText()).contains("nowhere.test");
            assertThat(admin.post("/admin/destinations/nowhere.test/resume").status())
                    .isEqualTo(404);

            String suspend = "/admin/destinations/x.test/suspend";
            assertBadParameter(admin.post(suspend + "?for=soon"), "for");
            assertBadParameter(admin.post(suspend + "?for=0s"), "for");
            assertBadParameter(admin.post(suspend + "?for=400d"), "for");
            assertBadParameter(admin.post(suspend, "{\"for\": \"ten minutes\"}"), "for");
            assertBadParameter(admin.post(suspend + "?until=2000-01-01T00:00:00Z"), "until");
            assertBadParameter(admin.post(suspend + "?until=tomorrow"), "until");
            assertBadParameter(admin.post(suspend + "?for=1h&until=2999-01-01T00:00:00Z"), "until");
            assertBadParameter(admin.post(suspend + "?for=1h", "{\"for\": \"2h\"}"), "for");
            assertBadParameter(admin.post(suspend, "[\"for\", \"1h\"]"), "body");
            assertBadParameter(admin.post(suspend, "{\"for\": {\"minutes\": 5}}"), "for");
            assertBadParameter(admin.post(suspend + "?colour=blue"), "colour");
            assertBadParameter(admin.post("/admin/destinations/no%20such@name/suspend"), "name");
            assertBadParameter(admin.get("/admin/destinations/a@b"), "name");
            assertThat(admin.get("/admin/destinations/x.test").status())
                    .as("no bad request suspended anything")
                    .isEqualTo(404);

            Answer wrongMethod = admin.send("PUT", "/admin/destinations");
            assertThat(wrongMethod.status()).isEqualTo(405);
            assertThat(wrongMethod.response().headers().firstValue("Allow")).hasValue("GET");
            assertThat(admin.send("DELETE", suspend).response().headers().firstValue("Allow"))
                    .hasValue("POST");
            assertThat(admin.get("/metrics").response().body())
                    .contains("tern_admin_actions_total{action=\"suspend\",outcome=\"bad_request\"} 12.0");
        }
    }

    private static void assertBadParameter(Answer a, String parameter) {
        assertThat(a.status()).as(a.response().body()).isEqualTo(400);
        assertThat(a.json().get("error").asText()).isEqualTo("bad_parameter");
        assertThat(a.json().get("parameter").asText()).isEqualTo(parameter);
    }

    /** Asserts that the receiver is not connected to, now or a little later. */
    private static void expectNoConnection(ScriptedSmtpPeer peer) {
        await().during(Duration.ofMillis(800)).atMost(WAIT).untilAsserted(() -> assertThat(peer.sessions())
                .isEmpty());
    }

    private static JsonNode destination(AdminHttp admin, String name) {
        Answer a = admin.get("/admin/destinations/" + name);
        assertThat(a.status()).as(a.response().body()).isEqualTo(200);
        return a.json();
    }

    private static JsonNode only(Answer list, String name) {
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("total").asInt()).isEqualTo(1);
        JsonNode d = list.json().get("destinations").get(0);
        assertThat(d.get("name").asText()).isEqualTo(name);
        return d;
    }
}
