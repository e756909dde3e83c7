package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.queue.DestinationAdmin;
import dev.tern.relay.queue.DestinationSnapshot;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traffic shaping against real receivers (docs/shaping.md): a healthy one sees the concurrency grow to
 * the per-destination cap, one that says {@code 421 4.7.0} at the greeting makes it shrink and suspends
 * the destination, which resumes by itself and delivers everything.
 */
class ShapingIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    @Test
    void aHealthyReceiverSeesTheConcurrencyGrowToTheCap() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("max-connections-per-destination", "4"))) {
            ScriptedSmtpPeer peer = tern.exchanger("grow.test", "127.0.0.2", tern.peer());
            DestinationAdmin admin = tern.server().queue().destinations();
            // Held by hand while the mail comes in, so that it all waits at once when resumed.
            admin.suspend("grow.test", Optional.empty(), "filling up")
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            int messages = 30;
            for (int i = 0; i < messages; i++) {
                tern.submit("bob@grow.test", "m" + i);
            }
            await().atMost(WAIT).until(() -> snapshot(admin, "grow.test").queued() == messages);
            assertThat(snapshot(admin, "grow.test").concurrencyLimit())
                    .as("the initial concurrency")
                    .isEqualTo(2);
            assertThat(peer.sessions()).isEmpty();

            assertThat(admin.resume("grow.test").toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isTrue();
            AtomicInteger mostInFlight = new AtomicInteger();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> {
                DestinationSnapshot s = snapshot(admin, "grow.test");
                mostInFlight.accumulateAndGet(s.inFlight(), Math::max);
                // The receiver's 250 comes before the queue records the delivery: wait for both.
                return peer.messages().size() == messages && s.recent().delivered() == messages;
            });

            DestinationSnapshot after = snapshot(admin, "grow.test");
            assertThat(after.concurrencyLimit()).as("grown to the cap").isEqualTo(4);
            assertThat(after.recent().delivered()).isEqualTo(messages);
            assertThat(after.state()).isEqualTo(DestinationSnapshot.State.ACTIVE);
            assertThat(mostInFlight.get())
                    .as("attempts at once, seen by the queue")
                    .isBetween(1, 4);
            assertThat(peer.mostConcurrentSessions())
                    .as("connections at once, seen by the receiver: above the initial 2, never above the cap")
                    .isBetween(3, 4);
        }
    }

    @Test
    void aReceiverThatSaysSlowDownShrinksAndSuspendsItsDestinationUntilItDeliversEverything() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(
                dataDir,
                Map.of(
                        "queue-lifetime", "60s",
                        "max-connections-per-destination", "4",
                        "shaping", "{initial-concurrency: 4, suspend-for: 1s}"))) {
            ScriptedSmtpPeer peer =
                    tern.exchanger("slow.test", "127.0.0.2", tern.peer().greetFirst(2, "421 4.7.0 Try again later"));
            DestinationAdmin admin = tern.server().queue().destinations();
            int messages = 10;
            for (int i = 0; i < messages; i++) {
                tern.submit("bob@slow.test", "m" + i);
            }

            await().atMost(WAIT).untilAsserted(() -> {
                DestinationSnapshot s = snapshot(admin, "slow.test");
                assertThat(s.state()).isEqualTo(DestinationSnapshot.State.SUSPENDED);
                assertThat(s.suspension()).hasValueSatisfying(x -> {
                    assertThat(x.manual()).isFalse();
                    assertThat(x.reason()).contains("421 4.7.0");
                });
                assertThat(s.concurrencyLimit()).as("halved from 4").isLessThanOrEqualTo(2);
            });
            assertThat(tern.server().queue().suspendedDestinations()).isEqualTo(1);

            await().atMost(WAIT).until(() -> peer.messages().size() == messages);
            await().atMost(WAIT).until(() -> tern.server().spool().pending().isEmpty());
            DestinationSnapshot after = snapshot(admin, "slow.test");
            assertThat(after.state()).isEqualTo(DestinationSnapshot.State.ACTIVE);
            assertThat(after.recent().delivered()).isEqualTo(messages);
            long refused =
                    peer.sessions().stream().filter(s -> s.commands().isEmpty()).count();
            assertThat(refused).as("connections greeted with 421").isEqualTo(2);
            // Suspended, the destination is not hammered: each message was tried a few times at most.
            assertThat(peer.sessions()).hasSizeLessThan(messages + 4);
            assertThat(tern.allMailboxes()).as("no DSN").isEmpty();
        }
    }

    @Test
    void aDestinationThatRefusesEveryConnectionIsSuspendedNotHammeredAndDeliveredOnceItListens() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(
                dataDir,
                Map.of(
                        "first-retry", "1s",
                        "max-retry", "1s",
                        "max-connections-per-destination", "8",
                        "shaping", "{suspend-for: 3s}"))) {
            // Nothing listens at the exchanger's address yet: every connection is refused.
            tern.dns().a("mx.dead.test", "127.0.0.4").mx("dead.test", 10, "mx.dead.test");
            DestinationAdmin admin = tern.server().queue().destinations();
            int messages = 30;
            for (int i = 0; i < messages; i++) {
                tern.submit("bob@dead.test", "m" + i);
            }

            await().atMost(WAIT).untilAsserted(() -> {
                DestinationSnapshot s = snapshot(admin, "dead.test");
                assertThat(s.state()).isEqualTo(DestinationSnapshot.State.SUSPENDED);
                assertThat(s.suspension()).hasValueSatisfying(x -> {
                    assertThat(x.manual()).isFalse();
                    assertThat(x.reason()).startsWith("no host answered: ").contains("mx.dead.test");
                });
                assertThat(s.queued()).isEqualTo(messages);
            });
            // Retries every second for 30 messages would be 30 attempts a second; suspended, a few in all.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(
                            snapshot(admin, "dead.test").recent().deferred())
                    .as("recipients deferred by an attempt, not by the suspension")
                    .isLessThanOrEqualTo(4));

            ScriptedSmtpPeer peer = tern.peer();
            tern.host("mx.dead.test", "127.0.0.4", peer);
            await().atMost(WAIT).until(() -> peer.messages().size() == messages);
            await().atMost(WAIT).until(() -> tern.server().spool().pending().isEmpty());
            assertThat(snapshot(admin, "dead.test").state()).isEqualTo(DestinationSnapshot.State.ACTIVE);
            assertThat(tern.allMailboxes()).as("no DSN").isEmpty();
        }
    }

    @Test
    void aRateSpacesTheAttemptsToItsDestination() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(
                dataDir, Map.of("shaping", "{destinations: [{match: .rate.test, max-rate: 4/s}]}"))) {
            ScriptedSmtpPeer peer = tern.exchanger("rate.test", "127.0.0.2", tern.peer());
            DestinationAdmin admin = tern.server().queue().destinations();
            admin.suspend("rate.test", Optional.empty(), "filling up")
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            int messages = 8;
            for (int i = 0; i < messages; i++) {
                tern.submit("bob@rate.test", "m" + i);
            }
            await().atMost(WAIT).until(() -> snapshot(admin, "rate.test").queued() == messages);

            long start = System.nanoTime();
            admin.resume("rate.test").toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> peer.messages().size() == messages);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // 4/s: one start every 250 ms, the first at once, so 8 take at least 7 intervals.
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(7 * 250));
            assertThat(snapshot(admin, "rate.test").rate())
                    .hasValueSatisfying(r -> assertThat(r.toString()).isEqualTo("4/s"));
        }
    }

    private static DestinationSnapshot snapshot(DestinationAdmin admin, String name) throws Exception {
        return admin.destinations().toCompletableFuture().get(10, TimeUnit.SECONDS).stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
