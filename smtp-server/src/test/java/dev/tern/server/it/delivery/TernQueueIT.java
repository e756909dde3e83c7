package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.server.it.delivery.TernCli.Run;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern queue} against a running Tern, as an operator types it: the address and token from
 * {@code --server}/{@code --token-file} or from the configuration file, mail put in by a plain SMTP
 * client, a mail exchanger that defers until the test lets it accept.
 */
class TernQueueIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void listOnAnEmptyQueueSaysSoAndExitsZero() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            Run run = queue(tern, "list");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("Mail queue is empty\n");
        }
    }

    @Test
    void everyCommandActsOnTheRunningQueue() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = tern.exchanger(
                    "busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", "451 4.3.0 mailbox busy"));
            QueueId first = tern.submit("bob@busy.test", "first");
            QueueId second = tern.submit("bob@busy.test", "second");
            await().atMost(WAIT)
                    .until(() ->
                            queue(tern, "list", "--state", "deferred").out().contains("2 Requests."));

            Run list = queue(tern, "list");
            assertThat(list.exit()).isZero();
            assertThat(list.out())
                    .startsWith("Queue ID")
                    .contains(first.value())
                    .contains(DeliveryFixture.SENDER)
                    .contains("(host mx.busy.test said: 451 4.3.0 mailbox busy)")
                    .contains("bob@busy.test  [deferred]");
            assertThat(queue(tern, "list", "--json").out()).contains("\"queue_id\" : \"" + first.value() + "\"");

            Run show = queue(tern, "show", first.value());
            assertThat(show.out()).contains("*** HEADER SECTION ***").contains("Subject: first\n");
            assertThat(show.out()).doesNotContain("Body of first");

            assertThat(queue(tern, "hold", first.value()).out()).isEqualTo(first.value() + ": held\n");
            assertThat(queue(tern, "list", "--state", "held").out()).contains(first.value() + "!");
            assertThat(queue(tern, "release", first.value()).out()).isEqualTo(first.value() + ": released\n");

            assertThat(queue(tern, "delete", second.value()).out()).isEqualTo(second.value() + ": deleted\n");
            Run again = queue(tern, "delete", second.value());
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err())
                    .isEqualTo("tern: " + second.value() + ": no message " + second.value() + " in the queue\n");

            assertThat(queue(tern, "requeue").out()).startsWith("all: requeued:");
            peer.rcptReply("bob@busy.test", "250 2.1.5 Ok");
            Run flushed = queue(tern, "flush", "--domain", "busy.test");
            assertThat(flushed.exit()).isZero();
            assertThat(flushed.out()).startsWith("domain=busy.test: flushed: ");
            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            await().atMost(WAIT).until(() -> !tern.queued(first));
            assertThat(queue(tern, "list").out()).isEqualTo("Mail queue is empty\n");
        }
    }

    @Test
    void bounceSendsTheSenderAReport() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.exchanger("busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", "451 4.3.0 busy"));
            QueueId id = tern.submit("bob@busy.test", "bounce me");
            await().atMost(WAIT)
                    .until(() ->
                            queue(tern, "list", "--state", "deferred").out().contains(id.value()));

            Run bounced = queue(tern, "bounce", id.value());
            assertThat(bounced.out()).isEqualTo(id.value() + ": returned to the sender\n");
            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox(DeliveryFixture.SENDER))
                    .hasSize(1));
            assertThat(Dsns.statuses(tern.mailbox(DeliveryFixture.SENDER).get(0)))
                    .containsExactly("5.0.0");
        }
    }

    @Test
    void findsTheServerAndTokenThroughTheConfigurationFile() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            Path config = Files.writeString(
                    dataDir.resolve("tern.yaml"),
                    "data-dir: " + dataDir.toAbsolutePath() + "\nmanagement: {address: 127.0.0.1, port: "
                            + tern.server().managementAddress().getPort() + "}\n");
            Run run = tern(List.of("queue", "list", "--config", config.toString()));
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("Mail queue is empty\n");
        }
    }

    @Test
    void aRefusedTokenIsSaidInOneLine() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            Path wrong = Files.writeString(dataDir.resolve("wrong-token"), "admin:not-the-token-of-this-tern\n");
            Run run = tern(List.of("queue", "list", "--server", server(tern), "--token-file", wrong.toString()));
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("tern: the admin token was refused (401)\n");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void aValueTheApiCallsMalformedIsAUsageError() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            for (List<String> args : List.of(List.of("list", "--state", "bogus"), List.of("list", "--limit", "5000"))) {
                Run run = queue(tern, args.toArray(String[]::new));
                assertThat(run.exit()).as(args.toString()).isEqualTo(2);
                assertThat(run.err()).as(args.toString()).startsWith("tern: ").hasLineCount(1);
            }
        }
    }

    @Test
    void showWithoutAnIdIsAUsageErrorNotACrash() throws Exception {
        Path token = Files.writeString(dataDir.resolve("token"), "admin:0123456789abcdef0123\n");
        List<String> common =
                List.of("--server", "http://127.0.0.1:" + TernCli.closedPort(), "--token-file", token.toString());
        Run missing =
                tern(Stream.concat(Stream.of("queue", "show"), common.stream()).toList());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("Missing required parameter: 'ID'").doesNotContain("Exception");
        Run empty = tern(
                Stream.concat(Stream.of("queue", "show", ""), common.stream()).toList());
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).startsWith("ID must not be empty").doesNotContain("Exception");
    }

    @Test
    void aServerThatIsDownIsSaidInOneLine() throws Exception {
        Path token = Files.writeString(dataDir.resolve("token"), "admin:0123456789abcdef0123\n");
        int port = TernCli.closedPort();
        Run run = tern(
                List.of("queue", "list", "--server", "http://127.0.0.1:" + port, "--token-file", token.toString()));
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err())
                .isEqualTo("tern: cannot reach Tern at http://127.0.0.1:" + port + ": connection refused\n");
    }

    @Test
    void drainWaitsForTheHandOverAndExitsOneWhenMailIsLeft() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.exchanger(
                    "busy.test",
                    "127.0.0.2",
                    tern.peer()
                            .rcptReply("bob@busy.test", "451 4.3.0 mailbox busy")
                            .rcptReply("eve@busy.test", "451 4.3.0 mailbox busy"));
            ScriptedSmtpPeer target = tern.peer().rcptReply("eve@busy.test", "550 5.7.1 not here");
            QueueId first = tern.submit("bob@busy.test", "first");
            QueueId refused = tern.submit("eve@busy.test", "refused");
            await().atMost(WAIT)
                    .until(() ->
                            queue(tern, "list", "--state", "deferred").out().contains("2 Requests."));
            Run none = queue(tern, "drain");
            assertThat(none.exit()).isEqualTo(1);
            assertThat(none.err()).isEqualTo("tern: no drain was started on this node\n");

            Run drain = queue(tern, "drain", "--to", "127.0.0.1:" + target.port(), "--tls", "none", "--wait");
            assertThat(drain.exit()).as(drain.err()).isEqualTo(1);
            assertThat(drain.out())
                    .isEqualTo("drain to 127.0.0.1:" + target.port()
                            + ": finished: 1 of 2 message(s) handed over (1 recipient(s)), 1 recipient(s) refused,"
                            + " 0 failed, 1 message(s) left\n");
            assertThat(drain.err()).isEqualTo("tern: 1 message(s) left in this queue\n");
            assertThat(target.messages()).hasSize(1);
            await().atMost(WAIT).until(() -> !tern.queued(first));
            assertThat(tern.queued(refused)).isTrue();
            assertThat(queue(tern, "drain", "--json").out()).contains("\"handed_over\" : 1");
        }
    }

    /** A message's header section is the sender's text: a control character in it is printed as a ?. */
    @Test
    void showWritesTheControlCharactersOfAMessageAsQuestionMarks() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.exchanger("busy.test", "127.0.0.2", tern.peer().rcptReply("bob@busy.test", "451 4.3.0 mailbox busy"));
            QueueId id = tern.submit("bob@busy.test", "red\u001b[31m alert\u0007");

            Run show = queue(tern, "show", id.value());
            assertThat(show.exit()).as(show.err()).isZero();
            assertThat(show.out()).contains("Subject: red?[31m alert?\n").doesNotContain("\u001b");
            assertThat(queue(tern, "show", id.value(), "--json").out())
                    .as("JSON escapes it")
                    .contains("red\\u001B[31m alert\\u0007");
        }
    }

    private static Run queue(DeliveryFixture tern, String... args) {
        return TernCli.admin(tern, "queue", args);
    }

    private static Run tern(List<String> args) {
        return TernCli.run(args);
    }

    private static String server(DeliveryFixture tern) {
        return TernCli.server(tern);
    }
}
