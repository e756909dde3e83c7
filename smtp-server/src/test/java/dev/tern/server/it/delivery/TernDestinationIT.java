package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.it.delivery.TernCli.Run;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern destination} against a running Tern, as an operator types it: mail put in by a plain SMTP
 * client, a receiver found through an in-test DNS responder that counts its connections, retries ten
 * minutes apart (so what goes out within the test went because a suspension ended).
 */
class TernDestinationIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void everyCommandShowsAndShapesTheRunningQueue() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = tern.exchanger("hold.test", "127.0.0.2", tern.peer());
            Run empty = destination(tern, "list");
            assertThat(empty.exit()).as(empty.err()).isZero();
            assertThat(empty.out()).startsWith("No destinations");

            Run suspended = destination(tern, "suspend", "hold.test", "--reason", "moving the mail servers");
            assertThat(suspended.exit()).as(suspended.err()).isZero();
            assertThat(suspended.out())
                    .isEqualTo("hold.test: suspended until resumed (by hand): moving the mail servers\n");

            QueueId id = tern.submit("bob@hold.test", "wait for it");
            await().atMost(WAIT).untilAsserted(() -> assertThat(json(destination(tern, "show", "hold.test", "--json"))
                            .get("queued")
                            .asInt())
                    .isEqualTo(1));
            Run list = destination(tern, "list");
            assertThat(list.exit()).isZero();
            assertThat(list.out())
                    .startsWith("Destination  State      Queued  Limit  In flight  Rate")
                    .containsPattern("hold\\.test +suspended +1 +2 +0 +- +0 +0 +0 +until resumed \\(by hand\\): "
                            + "moving the mail servers\n")
                    .endsWith("-- 1 destination; delivered, deferred and failed count recipients over the last"
                            + " 10 minutes.\n");
            JsonNode listed = json(destination(tern, "list", "--json"));
            assertThat(listed.get("total").asInt()).isEqualTo(1);
            assertThat(listed.get("destinations").get(0).get("state").asText()).isEqualTo("suspended");
            Run show = destination(tern, "show", "hold.test");
            assertThat(show.out())
                    .startsWith("destination: hold.test\nstate: suspended\nqueued: 1 message(s)\n")
                    .contains("suspension: until resumed (by hand): moving the mail servers\n");
            assertThat(peer.sessions()).as("nothing attempted while suspended").isEmpty();

            Run resumed = destination(tern, "resume", "hold.test");
            assertThat(resumed.exit()).as(resumed.err()).isZero();
            assertThat(resumed.out()).isEqualTo("hold.test: resumed\n");
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(destination(tern, "resume", "hold.test").out()).isEqualTo("hold.test: not suspended\n");

            Run brief = destination(tern, "suspend", "hold.test", "--for", "30m", "--json");
            assertThat(brief.exit()).isZero();
            JsonNode suspension = json(brief).get("destination").get("suspension");
            assertThat(Instant.parse(suspension.get("until").asText()))
                    .isBetween(
                            Instant.now().plus(Duration.ofMinutes(29)),
                            // in whole seconds, rounded up
                            Instant.now().plus(Duration.ofMinutes(30)).plusSeconds(1));
            assertThat(Instant.parse(suspension.get("until").asText()).getNano())
                    .isZero();
            assertThat(suspension.get("reason").asText()).isEqualTo("suspended by hand");
            String at = "2099-01-01T00:00:00Z";
            Run until = destination(
                    tern,
                    "suspend",
                    "other.test",
                    "--until",
                    Instant.now().plus(Duration.ofDays(2)).toString());
            assertThat(until.exit()).as(until.err()).isZero();
            assertThat(until.out())
                    .startsWith("other.test: suspended until 20")
                    .endsWith("(by hand): suspended by hand\n");
            assertThat(destination(tern, "suspend", "other.test", "--until", at).err())
                    .isEqualTo("tern: other.test: until must be within 365d from now\n");
        }
    }

    @Test
    void mistakesAreOneLineAndANonZeroExit() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            Run unknown = destination(tern, "show", "nowhere.test");
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.err())
                    .isEqualTo("tern: nowhere.test: no destination nowhere.test is known to the queue:"
                            + " no mail, attempt or suspension\n");
            assertThat(unknown.out()).isEmpty();

            Run badDuration = destination(tern, "suspend", "x.test", "--for", "soon");
            assertThat(badDuration.exit()).as("a usage error").isEqualTo(2);
            assertThat(badDuration.err())
                    .isEqualTo("tern: x.test: for: expected a duration in plain decimal (no leading 0) such as 500ms,"
                            + " 30s, 5m or 2h, got 'soon'\n");

            // Shown as given later, so an escape sequence would reach the terminal of whoever lists destinations.
            Run escape = destination(tern, "suspend", "x.test", "--reason", "moving\u001b[31m servers");
            assertThat(escape.exit()).isEqualTo(2);
            assertThat(escape.err())
                    .isEqualTo("tern: x.test: reason must not contain control characters (escape, line breaks,"
                            + " tabs)\n");

            Run both = destination(tern, "suspend", "x.test", "--for", "1h", "--until", "2099-01-01T00:00:00Z");
            assertThat(both.exit()).isEqualTo(2);
            assertThat(both.err()).isEqualTo("tern: give --for or --until, not both\n");
            assertThat(destination(tern, "show", "x.test").exit())
                    .as("nothing was suspended")
                    .isEqualTo(1);

            Path wrong = Files.writeString(dataDir.resolve("wrong-token"), "admin:not-the-token-of-this-tern\n");
            for (List<String> command : List.of(
                    List.of("destination", "list"),
                    List.of("destination", "suspend", "x.test"),
                    List.of("destination", "resume", "x.test"))) {
                List<String> args = new java.util.ArrayList<>(command);
                args.addAll(List.of("--server", TernCli.server(tern), "--token-file", wrong.toString()));
                Run refused = TernCli.run(args);
                assertThat(refused.exit()).as(command.toString()).isEqualTo(1);
                assertThat(refused.err()).isEqualTo("tern: the admin token was refused (401)\n");
            }
        }
    }

    @Test
    void aServerThatIsDownIsSaidInOneLine() throws Exception {
        Path token = Files.writeString(dataDir.resolve("token"), "admin:0123456789abcdef0123\n");
        int port = TernCli.closedPort();
        Run run = TernCli.run(List.of(
                "destination", "list", "--server", "http://127.0.0.1:" + port, "--token-file", token.toString()));
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err())
                .isEqualTo("tern: cannot reach Tern at http://127.0.0.1:" + port + ": connection refused\n");
    }

    private static Run destination(DeliveryFixture tern, String... args) {
        return TernCli.admin(tern, "destination", args);
    }

    private static JsonNode json(Run run) throws Exception {
        assertThat(run.exit()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }
}
