package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.spool.SpooledMessage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What "250 queued" promises: the message survives a restart byte for byte, a half-sent message is
 * never stored, and a shutdown lets a transaction under way finish (RFC 5321 3.8) while idle
 * sessions are told 421 at once.
 */
class SpoolAndShutdownIT {
    @TempDir
    Path dataDir;

    private TernFixture tern;

    @AfterEach
    void stop() {
        if (tern != null) {
            tern.close();
        }
    }

    @Test
    void replaysTheSpoolAfterARestart() {
        tern = TernFixture.start(dataDir, Map.of());
        try (RawSmtpClient c = greeted(tern.mx())) {
            c.ehlo("client.test");
            for (int i = 1; i <= 3; i++) {
                send(c, "bob@local.test", "Subject: message " + i + "\r\n\r\n..dotted\r\nbody " + i + "\r\n");
            }
        }
        List<SpooledMessage> before = tern.server().spool().pending();
        List<String> contents = tern.storedContents();
        assertThat(contents).hasSize(3);

        tern = tern.restart(Map.of());

        List<SpooledMessage> after = tern.server().spool().pending();
        assertThat(after.stream().map(SpooledMessage::id).toList())
                .isEqualTo(before.stream().map(SpooledMessage::id).toList());
        assertThat(after.stream().map(SpooledMessage::envelope).toList())
                .isEqualTo(before.stream().map(SpooledMessage::envelope).toList());
        assertThat(tern.storedContents()).containsExactlyElementsOf(contents);
        assertThat(contents.get(2)).endsWith("Subject: message 3\r\n\r\n.dotted\r\nbody 3\r\n");
    }

    @Test
    void storesNothingFromASessionDroppedInsideData() {
        tern = TernFixture.start(dataDir, Map.of());
        try (RawSmtpClient c = greeted(tern.mx())) {
            c.ehlo("client.test");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: half\r\n\r\nthe first half, and then the client is gone\r\n");
        }
        // Shutdown waits for every session to end, so the dropped one has been dealt with.
        tern = tern.restart(Map.of());
        assertThat(tern.server().spool().pending()).isEmpty();
    }

    @Test
    void drainsOnShutdownLettingATransactionFinish() {
        tern = TernFixture.start(dataDir, Map.of());
        InetSocketAddress mx = tern.mx();
        try (RawSmtpClient busy = greeted(mx);
                RawSmtpClient idle = greeted(mx)) {
            busy.ehlo("client.test");
            assertThat(busy.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(busy.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            idle.ehlo("idle.test");

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(tern.server()::shutdown);

            assertThat(idle.reply().last()).startsWith("421 4.3.0");
            idle.expectEof();
            // The listeners closed before the sessions were told.
            assertThatThrownBy(() -> RawSmtpClient.connect(mx))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(ConnectException.class);

            assertThat(busy.command("DATA").code()).isEqualTo(354);
            assertThat(busy.send("Subject: last one\r\n\r\nin under the wire\r\n.\r\n")
                            .reply()
                            .last())
                    .startsWith("250 2.0.0 Ok: queued as");
            assertThat(busy.reply().last()).startsWith("421 4.3.0");
            busy.expectEof();
            await().atMost(Duration.ofSeconds(10)).until(stopping::isDone);
            assertThat(stopping).isCompleted();
        }
        tern = tern.restart(Map.of());
        assertThat(tern.storedContents())
                .singleElement()
                .asString()
                .endsWith("Subject: last one\r\n\r\nin under the wire\r\n");
    }

    /**
     * A group commit waits for the messages of the transactions still open (spool.commit-delay): eight
     * sessions that end their DATA together are answered after one flush, not eight.
     */
    @Test
    void messagesOfSessionsEndingTogetherShareOneFlush() {
        tern = TernFixture.start(dataDir, Map.of("TERN_SPOOL_COMMIT_DELAY", "100ms"));
        DistributionSummary batches =
                tern.server().meterRegistry().get("tern.spool.batch.size").summary();
        Timer waits =
                tern.server().meterRegistry().get("tern.spool.commit.wait").timer();
        List<RawSmtpClient> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                RawSmtpClient c = greeted(tern.mx());
                sessions.add(c);
                c.ehlo("client" + i + ".test");
                assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                c.send("Subject: together " + i + "\r\n\r\nbody\r\n");
            }
            long before = batches.count();
            double waitedBefore = waits.totalTime(TimeUnit.MILLISECONDS);
            double recordsBefore = batches.totalAmount();
            for (RawSmtpClient c : sessions) {
                c.send(".\r\n");
            }
            for (RawSmtpClient c : sessions) {
                assertThat(c.reply().last()).startsWith("250 2.0.0 Ok: queued as");
            }

            // The writer records its meters just after it completes the batch's stages: the 250s may come first.
            await().atMost(Duration.ofSeconds(5)).until(() -> batches.count() > before);
            assertThat(batches.count() - before).as("group commits").isEqualTo(1);
            assertThat(batches.totalAmount() - recordsBefore)
                    .as("records in it")
                    .isEqualTo(8);
            // Each session's message ends its transaction as it is handed over, so the batch stops waiting as
            // soon as the last one is in, long before the 100 ms delay is out.
            assertThat(waits.totalTime(TimeUnit.MILLISECONDS) - waitedBefore)
                    .as("time the batch waited, in ms")
                    .isLessThan(50);
        } finally {
            sessions.forEach(RawSmtpClient::close);
        }
        assertThat(tern.storedContents()).hasSize(8);
    }

    private static RawSmtpClient greeted(InetSocketAddress address) {
        RawSmtpClient c = RawSmtpClient.connect(address);
        assertThat(c.reply().code()).isEqualTo(220);
        return c;
    }

    private static void send(RawSmtpClient c, String recipient, String message) {
        assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<" + recipient + ">").code()).isEqualTo(250);
        assertThat(c.command("DATA").code()).isEqualTo(354);
        assertThat(c.send(message + ".\r\n").reply().last()).startsWith("250 2.0.0 Ok: queued as");
    }
}
