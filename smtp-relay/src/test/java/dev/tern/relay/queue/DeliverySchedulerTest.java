package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.relay.spool.TestStorage;
import dev.tern.relay.testing.LogLines;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queue on a controlled clock: its thread is run by the test ({@link ManualQueueExecutor}), time
 * moves only when the test moves it, so retries, expiry and warnings are checked at their exact times
 * without waiting for them. The spool is real, in a temporary directory.
 */
class DeliverySchedulerTest {
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    /** First retry after 1 min, doubling to 8 min; given up after 1 h; no warning. */
    static final RetryPolicy POLICY =
            new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(8), Duration.ofHours(1), Duration.ZERO);

    @RegisterExtension
    final QueueFixture fixture = new QueueFixture(START);

    private final MutableClock clock = fixture.clock;
    private final ManualQueueExecutor loop = fixture.loop;

    @Test
    void deliversANewMessageAndMarksItDone() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, fixture.delivering());
        QueueId id = fixture.enqueue(queue, "<sender@a.test>", "rcpt@b.test");

        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(fixture.requests).singleElement().satisfies(r -> assertThat(r.id())
                .isEqualTo(id));
        assertThat(fixture.reports).isEmpty();
        assertThat(queue.size()).isZero();
    }

    /**
     * A server shutting down stops attempts first: a message its last sessions hand over stays queued, not
     * attempted by a process about to stop; {@code deliver} (a server that is sure to run) attempts it.
     */
    @Test
    void attemptsNothingAfterStopAttemptsUntilDeliver() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, fixture.delivering());
        queue.stopAttempts();
        QueueId id = fixture.enqueue(queue, "<sender@a.test>", "rcpt@b.test");
        loop.runDue();

        assertThat(fixture.requests).isEmpty();
        assertThat(QueueFixture.state(spool, id, 0).attempts()).isZero();

        queue.deliver();
        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(fixture.requests).singleElement().satisfies(r -> assertThat(r.id())
                .isEqualTo(id));
    }

    /**
     * Recipients one attempt left alike share one state object, in the queue and after the spool is read back: a
     * message of a hundred recipients deferred by one refused connection must not cost a hundred states on the heap.
     */
    @Test
    void recipientsAnAttemptLeftAlikeShareOneStateAlsoAfterARestart() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue =
                fixture.scheduler(spool, POLICY, (domain, r) -> QueueFixture.all(r, QueueFixture::busy));
        QueueId id = fixture.enqueue(queue, "<sender@a.test>", "r1@b.test", "r2@b.test", "r3@b.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 2).attempts() == 1);

        List<RecipientState> states = spool.find(id).orElseThrow().states();
        assertThat(states.get(0).kind()).isEqualTo(RecipientState.Kind.DEFERRED);
        assertThat(states.get(1)).isSameAs(states.get(0));
        assertThat(states.get(2)).isSameAs(states.get(0));

        spool.close(); // a restart: what the spool holds is read back
        Spool again = fixture.spool();
        List<RecipientState> replayed = again.find(id).orElseThrow().states();
        assertThat(replayed).containsExactlyElementsOf(states);
        assertThat(replayed.get(1)).isSameAs(replayed.get(0));
        assertThat(replayed.get(2)).isSameAs(replayed.get(0));
    }

    @Test
    void theAttemptsLogLineSaysWhySomeWereNotDeliveredNotTheLastReply() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(
                spool,
                POLICY,
                (domain, r) -> CompletableFuture.completedFuture(
                        List.of(QueueFixture.refused(0, "mx.b.test"), QueueFixture.ok(1, "mx.b.test"))));
        try (LogLines log = LogLines.of(Completion.class)) {
            fixture.enqueue(queue, "<sender@a.test>", "gone@b.test", "here@b.test");
            loop.runUntil(() -> spool.pending().isEmpty());

            assertThat(log.lines()).anySatisfy(line -> assertThat(line)
                    .contains("delivered=1 deferred=0 failed=1")
                    .endsWith("last=\"550 no such user\""));
            // And one line per recipient, as Postfix's "to=<...>": what became of an address is found by the address.
            assertThat(log.lines())
                    .anySatisfy(line -> assertThat(line)
                            .contains("to=<gone@b.test> status=failed relay=mx.b.test: 550 5.1.1 no such user"))
                    .anySatisfy(line -> assertThat(line).contains("to=<here@b.test> status=delivered relay=mx.b.test"));
        }
    }

    @Test
    void messagesSpooledWhileTheQueueIsBusyAreAdmittedByOneTask() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, fixture.delivering());
        loop.runDue();
        List<CompletableFuture<QueueId>> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ByteBuf content = Unpooled.copiedBuffer("Subject: t\r\n\r\nbody\r\n", StandardCharsets.US_ASCII);
            Envelope envelope = new Envelope(
                    new ReversePath(new Mailbox("s", "a.test")),
                    List.of(new RcptTo(new Mailbox("r" + i, "b.test"), RcptParameters.NONE)),
                    MailParameters.NONE);
            ids.add(queue.enqueue(envelope, content).toCompletableFuture());
        }
        CompletableFuture.allOf(ids.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        // The writer hands its batch's tasks over just after completing the batch's stages; once there,
        // the one task stays the only one.
        await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(200)).until(loop::readyTasks, n -> n == 1);
        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(fixture.requests)
                .extracting(DeliveryRequest::id)
                .containsExactlyElementsOf(
                        ids.stream().map(CompletableFuture::join).toList());
    }

    @Test
    void whatFollowsAGroupCommitReachesTheQueuesThreadOnlyOnceTheWholeBatchIsOnDisk() throws Exception {
        TestStorage disk = new TestStorage();
        Spool spool = fixture.spool(disk);
        List<CompletableFuture<QueueId>> batch = new CopyOnWriteArrayList<>();
        List<String> partial = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean batchReleased = new java.util.concurrent.atomic.AtomicBoolean();
        QueueExecutor queueThread = new QueueExecutor() {
            @Override
            public void execute(Runnable task) {
                // A hand-off from the writer thread while some of the batch's stages are still open would wake
                // the queue's thread once more for the rest: the whole batch is complete, or none of it.
                long done = batch.stream().filter(CompletableFuture::isDone).count();
                if (batchReleased.get()
                        && Thread.currentThread().getName().equals("tern-spool-writer")
                        && done < batch.size()) {
                    partial.add(done + " of " + batch.size());
                }
                loop.execute(task);
            }

            @Override
            public Timer schedule(Runnable task, long delayMillis) {
                return loop.schedule(task, delayMillis);
            }
        };
        DeliveryScheduler queue = fixture.scheduler(
                spool, POLICY, new DeliveryLimits(10, 10), fixture.delivering(), ShapingOptions.DEFAULT, queueThread);
        loop.runDue();
        fixture.enqueue(queue, "<s@a.test>", "first@b.test"); // the segment exists: the next force is a batch's own
        loop.runUntil(() -> spool.pending().isEmpty()); // and nothing of it is left for the writer

        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        try {
            disk.forceGate = first;
            int forces = disk.forcesStarted.get();
            CompletableFuture<QueueId> alone =
                    queue.enqueue(envelope("alone"), content()).toCompletableFuture();
            await().atMost(Duration.ofSeconds(10)).until(() -> disk.forcesStarted.get() > forces); // at the disk
            for (int i = 0; i < 5; i++) {
                batch.add(queue.enqueue(envelope("r" + i), content()).toCompletableFuture()); // behind it
            }
            disk.forceGate = second;
            first.countDown();
            alone.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> disk.forcesStarted.get() > forces + 1);
            // The queue's thread takes the first message in while the batch of five waits at the disk, as a
            // queue that keeps up would: the batch's first arrival then finds it idle and hands over at once.
            loop.runUntil(() -> fixture.requests.stream().anyMatch(r -> r.id().equals(alone.join())));
            batchReleased.set(true);
            second.countDown();
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } finally {
            first.countDown();
            second.countDown();
        }

        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(partial).as("hand-offs before the batch was complete").isEmpty();
        assertThat(fixture.requests)
                .extracting(DeliveryRequest::id)
                .containsAll(batch.stream().map(CompletableFuture::join).toList());
    }

    @Test
    void aMessageTakenInTwiceKeepsTheQueuesFirstCopy() throws Exception {
        // The replay at start and an arrival can both name a message; the queue's state must stay on one copy.
        Spool spool = fixture.spool();
        CompletableFuture<QueueId> stored =
                spool.enqueue(envelope("twice"), content()).toCompletableFuture();
        SpooledMessage message = spool.find(stored.get(10, TimeUnit.SECONDS)).orElseThrow();
        Admission admission = new Admission();

        QueuedMessage first = admission.admit(message);
        assertThat(first).isNotNull();
        assertThat(admission.admit(message)).as("held already").isNull();
        assertThat(admission.get(message.id())).isSameAs(first);
        assertThat(admission.holds(first)).isTrue();
        assertThat(admission.size()).isEqualTo(1);
    }

    private static Envelope envelope(String recipient) {
        return new Envelope(
                new ReversePath(new Mailbox("s", "a.test")),
                List.of(new RcptTo(new Mailbox(recipient, "b.test"), RcptParameters.NONE)),
                MailParameters.NONE);
    }

    private static ByteBuf content() {
        return Unpooled.copiedBuffer("Subject: t\r\n\r\nbody\r\n", StandardCharsets.US_ASCII);
    }

    @Test
    void groupsRecipientsByDomain() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, fixture.delivering());
        fixture.enqueue(queue, "<s@a.test>", "one@b.test", "x@c.test", "two@B.test");

        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(fixture.requests)
                .extracting(DeliveryRequest::recipientIndexes)
                .containsExactlyInAnyOrder(List.of(0, 2), List.of(1));
    }

    @Test
    void aRecipientPastTheSixtyFourthWithAnAttemptUnderWayIsNotAttemptedAgain() throws Exception {
        // 70 recipients, the even ones at a.test and the odd ones at b.test: a.test's attempt stays open while
        // b.test's fails and falls due again. a.test's recipients, 64, 66 and 68 among them, are under way and
        // must not go out a second time; each recipient is attempted where it belongs and delivered once.
        Spool spool = fixture.spool();
        CompletableFuture<List<RecipientOutcome>> slowA = new CompletableFuture<>();
        List<DeliveryRequest> toA = new CopyOnWriteArrayList<>();
        List<DeliveryRequest> toB = new CopyOnWriteArrayList<>();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, (domain, r) -> {
            if (domain.equals("a.test")) {
                toA.add(r);
                return slowA;
            }
            toB.add(r);
            return toB.size() == 1 ? QueueFixture.all(r, QueueFixture::busy) : QueueFixture.all(r, QueueFixture::ok);
        });
        String[] to = new String[70];
        for (int i = 0; i < to.length; i++) {
            to[i] = "r" + i + (i % 2 == 0 ? "@a.test" : "@b.test");
        }
        QueueId id = fixture.enqueue(queue, "<s@s.test>", to);
        loop.runUntil(() -> QueueFixture.state(spool, id, 69).kind() == RecipientState.Kind.DEFERRED);
        assertThat(toA).singleElement().satisfies(r -> assertThat(r.recipientIndexes())
                .hasSize(35)
                .contains(0, 62, 64, 66, 68)
                .allMatch(i -> i % 2 == 0));

        // b.test's recipients were deferred by one attempt: they fall due together and go out in one.
        loop.advance(Duration.ofMinutes(2));
        loop.runUntil(() -> IntStream.range(0, 70)
                .filter(i -> i % 2 == 1)
                .allMatch(i -> QueueFixture.state(spool, id, i).kind() == RecipientState.Kind.DELIVERED));
        loop.runDue();

        assertThat(toA).as("a.test's recipients are still under way").hasSize(1);
        assertThat(toB).as("one attempt, then one retry for all").hasSize(2);
        List<Integer> retried = toB.subList(1, toB.size()).stream()
                .flatMap(r -> r.recipientIndexes().stream())
                .toList();
        assertThat(retried)
                .doesNotHaveDuplicates()
                .hasSize(35)
                .contains(1, 63, 65, 69)
                .allMatch(i -> i % 2 == 1);
        slowA.complete(toA.get(0).recipientIndexes().stream()
                .map(i -> QueueFixture.ok(i, "mx.a.test"))
                .toList());
        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(toA).hasSize(1);
    }

    @Test
    void retriesADeferredRecipientAtItsTimeAndNotBefore() throws Exception {
        Spool spool = fixture.spool();
        List<Instant> attempts = new CopyOnWriteArrayList<>();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, (domain, r) -> {
            attempts.add(clock.instant());
            return attempts.size() < 3
                    ? QueueFixture.all(r, QueueFixture::busy)
                    : QueueFixture.all(r, QueueFixture::ok);
        });
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED);
        long retryAt = QueueFixture.state(spool, id, 0).nextAttemptMillis();
        // 1 min ±10%, by the policy.
        assertThat(retryAt - START.toEpochMilli()).isBetween(54_000L, 66_000L);

        loop.advance(Duration.ofMillis(retryAt - clock.millis() - 1));
        assertThat(attempts).as("not a millisecond early").hasSize(1);
        loop.advance(Duration.ofMillis(1));
        assertThat(attempts).hasSize(2).last().isEqualTo(Instant.ofEpochMilli(retryAt));
        loop.advance(Duration.ofMinutes(3));
        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(attempts).hasSize(3);
        // The second wait doubles: 2 min ±10% after the second attempt.
        assertThat(Duration.between(attempts.get(1), attempts.get(2)))
                .isBetween(Duration.ofSeconds(108), Duration.ofSeconds(132));
        assertThat(fixture.reports).isEmpty();
    }

    @Test
    void bouncesAPermanentFailureToTheSender() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(
                spool,
                POLICY,
                (domain, r) -> r.envelope().reversePath().isNull()
                        ? QueueFixture.all(r, QueueFixture::ok)
                        : QueueFixture.all(r, QueueFixture::refused));
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test", "q@c.test");

        loop.runUntil(() -> spool.find(id).isEmpty() && spool.pending().isEmpty());

        assertThat(fixture.reports).singleElement().satisfies(report -> {
            assertThat(report.kind()).isEqualTo(Bouncer.Kind.FAILURE);
            assertThat(report.recipients()).extracting(Bouncer.Recipient::index).containsExactly(0, 1);
            assertThat(report.recipients().get(0).last().remoteMta()).isEqualTo("mx.test");
            assertThat(report.recipients().get(0).last().reply().code()).isEqualTo(550);
        });
        // The report itself is a new message from <> to the sender, delivered like any other.
        assertThat(fixture.requests).anyMatch(r -> r.envelope().reversePath().isNull());
    }

    @Test
    void givesUpAtTheEndOfTheLifetimeWithTheLastReply() throws Exception {
        Spool spool = fixture.spool();
        List<Instant> attempts = new CopyOnWriteArrayList<>();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, (domain, r) -> {
            if (r.envelope().reversePath().isNull()) {
                return QueueFixture.all(r, QueueFixture::ok);
            }
            attempts.add(clock.instant());
            return QueueFixture.all(r, QueueFixture::busy);
        });
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runUntil(() -> attempts.size() == 1);

        loop.advance(Duration.ofMinutes(59));
        assertThat(fixture.reports).as("still within the lifetime").isEmpty();
        loop.advance(Duration.ofMinutes(1));
        loop.runUntil(() -> spool.find(id).isEmpty());

        // 1, 2, 4, 8, 8, ... minutes apart, each wait spread by the jitter between 90% and 110%, and one last
        // try exactly at the end of the hour. At 110% the tries after the first fall at 1.1, 3.3, 7.7, 16.5,
        // ... 51.7 minutes (8 of them), at 90% at 0.9, 2.7, 6.3, 13.5, ... 56.7 (10): 10 to 12 tries in all.
        assertThat(attempts.get(attempts.size() - 1)).isEqualTo(START.plus(Duration.ofHours(1)));
        assertThat(attempts).hasSizeBetween(10, 12);
        Bouncer.Report report = fixture.reports.get(0);
        assertThat(report.kind()).isEqualTo(Bouncer.Kind.FAILURE);
        assertThat(report.recipients().get(0).last().status()).hasToString("4.4.7");
        assertThat(report.recipients().get(0).last().diagnostic())
                .startsWith("delivery time expired after 1h;")
                .contains("last error: 451 busy");
        assertThat(Completion.elapsed(Duration.ofMinutes(6).toMillis()))
                .as("under an hour")
                .isEqualTo("6m");
        assertThat(Completion.elapsed(59_999)).isEqualTo("59s");
        assertThat(report.recipients().get(0).last().reply().code())
                .as("the last reply")
                .isEqualTo(451);
    }

    @Test
    void neverBouncesMailFromTheNullSender() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue =
                fixture.scheduler(spool, POLICY, (domain, r) -> QueueFixture.all(r, QueueFixture::refused));
        fixture.enqueue(queue, "<>", "r@b.test");

        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(fixture.reports).isEmpty();
        assertThat(fixture.requests).hasSize(1);
    }

    @Test
    void resumesAfterARestartWithoutRepeatingFinishedRecipients() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler first = fixture.scheduler(
                spool,
                POLICY,
                (domain, r) -> QueueFixture.all(
                        r, (i, h) -> domain.equals("b.test") ? QueueFixture.ok(i, h) : QueueFixture.busy(i, h)));
        QueueId id = fixture.enqueue(first, "<s@a.test>", "ok@b.test", "later@c.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DELIVERED
                && QueueFixture.state(spool, id, 1).kind() == RecipientState.Kind.DEFERRED);
        CompletionStage<Void> stopped = first.shutdown();
        loop.runUntil(() -> stopped.toCompletableFuture().isDone());
        spool.close();
        fixture.requests.clear();

        Spool reopened = fixture.spool();
        assertThat(reopened.find(id).orElseThrow().states())
                .extracting(RecipientState::kind)
                .containsExactly(RecipientState.Kind.DELIVERED, RecipientState.Kind.DEFERRED);
        fixture.scheduler(reopened, POLICY, fixture.delivering());
        loop.runDue();
        assertThat(fixture.requests)
                .as("the deferred recipient waits for its time")
                .isEmpty();
        loop.advance(Duration.ofMinutes(2));
        loop.runUntil(() -> reopened.pending().isEmpty());

        assertThat(fixture.requests).singleElement().satisfies(r -> assertThat(r.recipientIndexes())
                .containsExactly(1));
    }

    @Test
    void keepsToTheLimitPerDomainAndWakesTheNextWhenASlotFrees() throws Exception {
        Spool spool = fixture.spool();
        List<CompletableFuture<List<RecipientOutcome>>> running = new ArrayList<>();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, new DeliveryLimits(10, 2), (domain, r) -> {
            CompletableFuture<List<RecipientOutcome>> attempt = new CompletableFuture<>();
            running.add(attempt);
            return attempt;
        });
        for (int i = 0; i < 5; i++) {
            fixture.enqueue(queue, "<s@a.test>", "r" + i + "@b.test");
        }
        loop.runUntil(() -> running.size() == 2);
        loop.advance(Duration.ofSeconds(1));
        assertThat(running).as("two slots for b.test").hasSize(2);
        assertThat(queue.depth()).isEqualTo(new QueueDepth(2, 0, 3, START.toEpochMilli()));

        running.get(0).complete(List.of(QueueFixture.ok(0, "mx.test")));
        loop.runUntil(() -> running.size() == 3);

        running.get(1).complete(List.of(QueueFixture.ok(0, "mx.test")));
        running.get(2).complete(List.of(QueueFixture.ok(0, "mx.test")));
        loop.runUntil(() -> running.size() == 5);
        loop.advance(Duration.ofSeconds(1));
        assertThat(queue.depth().active())
                .as("three ended, the last two under way")
                .isEqualTo(2);
        assertThat(queue.depth().held()).as("none waits for a slot").isZero();
        running.forEach(f -> f.complete(List.of(QueueFixture.ok(0, "mx.test"))));
        loop.runUntil(() -> spool.pending().isEmpty());
        loop.advance(Duration.ofSeconds(1));
        assertThat(queue.depth()).isEqualTo(QueueDepth.EMPTY);
    }

    @Test
    void shutdownWaitsForTheAttemptUnderWayToHandItsOutcomeToTheSpool() throws Exception {
        Spool spool = fixture.spool();
        CompletableFuture<List<RecipientOutcome>> attempt = new CompletableFuture<>();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, (domain, r) -> attempt);
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runUntil(() -> !fixture.requests.isEmpty());

        CompletionStage<Void> stopped = queue.shutdown();
        loop.runDue();
        assertThat(stopped.toCompletableFuture()).as("an attempt is under way").isNotDone();
        attempt.complete(List.of(QueueFixture.busy(0, "mx.test")));
        loop.runUntil(() -> stopped.toCompletableFuture().isDone());

        // Handed to the spool, whose writer puts it on disk before the spool closes.
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED);
        loop.advance(Duration.ofHours(2));
        assertThat(fixture.requests).as("nothing starts after shutdown").hasSize(1);
    }

    @Test
    void spoolAndQueueShareTheClock() throws Exception {
        Spool spool = fixture.spool();
        clock.advance(Duration.ofDays(3));
        DeliveryScheduler queue =
                fixture.scheduler(spool, POLICY, (domain, r) -> QueueFixture.all(r, QueueFixture::busy));
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED);

        assertThat(spool.find(id).orElseThrow().arrivalMillis()).isEqualTo(clock.millis());
        assertThat(QueueFixture.state(spool, id, 0).last().atMillis()).isEqualTo(clock.millis());
        loop.advance(Duration.ofSeconds(1));
        assertThat(queue.depth().oldestArrivalMillis())
                .isEqualTo(START.plus(Duration.ofDays(3)).toEpochMilli());
    }
}
