package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traffic shaping on the queue's controlled clock: adaptive concurrency, rates, automatic and manual
 * suspensions, their expiry and their file. Attempts are held open by the test ({@link Held}) so that
 * what runs at once can be counted.
 */
class ShapingTest {
    static final Instant START = DeliverySchedulerTest.START;
    /** First retry after 1 min, doubling to 8 min; given up after 1 h. */
    static final RetryPolicy RETRY = DeliverySchedulerTest.POLICY;

    @RegisterExtension
    final QueueFixture fixture = new QueueFixture(START);

    @TempDir
    Path dir;

    private final ManualQueueExecutor loop = fixture.loop;
    private final CountingMetrics metrics = new CountingMetrics();
    private Suspension lastSuspension;
    private final List<Held> helds = new ArrayList<>();

    /** A {@link Held} whose attempts still open when the test ends are ended then, so their content is released. */
    private Held held() {
        Held held = new Held();
        helds.add(held);
        return held;
    }

    @AfterEach
    void endOpenAttempts() {
        for (Held held : helds) {
            while (!held.open.isEmpty()) {
                held.endOldest(QueueFixture::ok);
            }
        }
    }

    /** Attempts the test ends by hand; counts the most under way at once. */
    static final class Held implements Deliverer {
        record Attempt(String domain, DeliveryRequest request, CompletableFuture<List<RecipientOutcome>> stage) {}

        final List<Attempt> open = new CopyOnWriteArrayList<>();
        int most;

        @Override
        public CompletionStage<List<RecipientOutcome>> deliver(String domain, DeliveryRequest request) {
            CompletableFuture<List<RecipientOutcome>> stage = new CompletableFuture<>();
            open.add(new Attempt(domain, request, stage));
            most = Math.max(most, open.size());
            return stage;
        }

        /** Ends the oldest open attempt with {@code outcome} for each recipient. */
        void endOldest(QueueFixture.OutcomeMaker outcome) {
            Attempt a = open.remove(0);
            a.stage.complete(a.request.recipientIndexes().stream()
                    .map(i -> outcome.make(i, "mx.test"))
                    .toList());
        }
    }

    static final class CountingMetrics implements DeliveryMetrics {
        final AtomicInteger grew = new AtomicInteger();
        final AtomicInteger shrank = new AtomicInteger();
        final AtomicInteger auto = new AtomicInteger();
        final AtomicInteger manual = new AtomicInteger();
        final AtomicInteger parked = new AtomicInteger();

        @Override
        public void concurrencyChanged(boolean up) {
            (up ? grew : shrank).incrementAndGet();
        }

        @Override
        public void destinationSuspended(boolean byHand) {
            (byHand ? manual : auto).incrementAndGet();
        }

        @Override
        public void deferredBySuspension() {
            parked.incrementAndGet();
        }
    }

    private DeliveryScheduler queue(Spool spool, DeliveryLimits limits, Deliverer deliverer, ShapingPolicy policy) {
        return fixture.scheduler(
                spool,
                RETRY,
                limits,
                deliverer,
                new ShapingOptions(policy, dir.resolve("suspensions"), Runnable::run, metrics));
    }

    private static ShapingPolicy policy(DestinationRule... rules) {
        ShapingPolicy d = ShapingPolicy.DEFAULT;
        return new ShapingPolicy(
                d.initialConcurrency(), List.of(rules), d.suspendOn(), d.suspendFor(), d.suspendUnreachable());
    }

    /** Asserts that {@code destination} is suspended automatically, from START for the default 5 minutes, for {@code why}. */
    private void assertSuspendedAutomatically(DeliveryScheduler queue, String destination, String why)
            throws Exception {
        DestinationSnapshot d = snapshot(queue, destination);
        assertThat(d.state()).isEqualTo(DestinationSnapshot.State.SUSPENDED);
        assertThat(d.suspension()).hasValueSatisfying(s -> {
            assertThat(s.manual()).isFalse();
            assertThat(s.until()).contains(START.plus(Duration.ofMinutes(5)));
            assertThat(s.reason()).contains(why);
        });
    }

    private DestinationSnapshot snapshot(DeliveryScheduler queue, String name) throws Exception {
        CompletableFuture<List<DestinationSnapshot>> list =
                queue.destinations().destinations().toCompletableFuture();
        loop.runUntil(list::isDone);
        return list.get().stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private <T> T await(CompletionStage<T> stage) throws Exception {
        CompletableFuture<T> f = stage.toCompletableFuture();
        loop.runUntil(f::isDone);
        return f.get();
    }

    private List<QueueId> enqueue(DeliveryScheduler queue, int messages, String to) throws Exception {
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            ids.add(fixture.enqueue(queue, "<s@a.test>", to));
        }
        return ids;
    }

    @Test
    void startsAtTheInitialConcurrencyAndGrowsWithSuccessesUpToTheCap() throws Exception {
        Spool spool = fixture.spool();
        Held held = held();
        DeliveryScheduler queue = queue(spool, new DeliveryLimits(100, 5), held, ShapingPolicy.DEFAULT);
        enqueue(queue, 20, "r@b.test");
        loop.runDue();
        assertThat(held.open).as("the initial concurrency").hasSize(2);

        held.endOldest(QueueFixture::ok);
        loop.runDue();
        assertThat(held.open).as("one success at the limit grows it by one").hasSize(3);
        assertThat(snapshot(queue, "b.test").concurrencyLimit()).isEqualTo(3);

        while (!held.open.isEmpty()) {
            held.endOldest(QueueFixture::ok);
            loop.runDue();
        }
        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(held.most).as("never past the per-destination cap").isEqualTo(5);
        DestinationSnapshot b = snapshot(queue, "b.test");
        assertThat(b.concurrencyLimit()).isEqualTo(5);
        assertThat(b.recent()).isEqualTo(new DestinationSnapshot.Outcomes(20, 0, 0));
        assertThat(b.queued()).isZero();
        assertThat(metrics.grew).hasValue(3);
    }

    /**
     * The list is of what the queue is doing: a destination with nothing queued, attempted in the last ten minutes
     * or suspended is left out (its learned limit is kept all the same).
     */
    @Test
    void aDestinationWithNothingQueuedLatelyOrSuspendedIsNotListed() throws Exception {
        Spool spool = fixture.spool();
        Held held = held();
        DeliveryScheduler queue = queue(spool, new DeliveryLimits(100, 5), held, ShapingPolicy.DEFAULT);
        enqueue(queue, 1, "r@b.test");
        loop.runDue();
        held.endOldest(QueueFixture::ok);
        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(snapshot(queue, "b.test").recent()).isEqualTo(new DestinationSnapshot.Outcomes(1, 0, 0));

        loop.advance(DestinationSnapshot.RECENT_WINDOW.plusMinutes(1));
        CompletableFuture<List<DestinationSnapshot>> later =
                queue.destinations().destinations().toCompletableFuture();
        loop.runUntil(later::isDone);
        assertThat(later.get()).extracting(DestinationSnapshot::name).doesNotContain("b.test");
    }

    @Test
    void aRuleCapsTheConcurrencyBelowTheGlobalCap() throws Exception {
        Spool spool = fixture.spool();
        Held held = held();
        DeliveryScheduler queue =
                queue(spool, new DeliveryLimits(100, 10), held, policy(new DestinationRule(".b.test", null, 3, 1)));
        enqueue(queue, 12, "r@mx.b.test");
        loop.runDue();
        assertThat(held.open).as("the rule's initial concurrency").hasSize(1);
        while (!held.open.isEmpty()) {
            held.endOldest(QueueFixture::ok);
            loop.runDue();
        }
        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(held.most).isEqualTo(3);
        assertThat(snapshot(queue, "mx.b.test").concurrencyLimit()).isEqualTo(3);
    }

    @Test
    void halvesOnPushbackDownToOne() throws Exception {
        Spool spool = fixture.spool();
        Held held = held();
        DeliveryScheduler queue = queue(spool, new DeliveryLimits(100, 8), held, ShapingPolicy.DEFAULT);
        enqueue(queue, 30, "r@b.test");
        loop.runDue();
        // Successes at the limit: 2 -> 3 -> 4 -> 5 -> 6 -> 7 -> 8.
        for (int i = 0; i < 6; i++) {
            held.endOldest(QueueFixture::ok);
            loop.runDue();
        }
        assertThat(snapshot(queue, "b.test").concurrencyLimit()).isEqualTo(8);

        held.endOldest(QueueFixture::busy);
        loop.runDue();
        assertThat(snapshot(queue, "b.test").concurrencyLimit()).isEqualTo(4);
        assertThat(held.open).as("nothing new starts above the new limit").hasSize(7);
        held.endOldest(QueueFixture::busy);
        held.endOldest(QueueFixture::busy);
        held.endOldest(QueueFixture::busy);
        loop.runDue();
        assertThat(snapshot(queue, "b.test").concurrencyLimit())
                .as("never under one")
                .isEqualTo(1);
        assertThat(metrics.shrank).hasValue(3);
        DestinationSnapshot b = snapshot(queue, "b.test");
        assertThat(b.inFlight()).isEqualTo(held.open.size());
        assertThat(b.recent()).isEqualTo(new DestinationSnapshot.Outcomes(6, 4, 0));
    }

    @Test
    void permanentRefusalsLeaveTheLimitAsItIs() throws Exception {
        Spool spool = fixture.spool();
        Held held = held();
        DeliveryScheduler queue = queue(spool, new DeliveryLimits(100, 8), held, ShapingPolicy.DEFAULT);
        enqueue(queue, 3, "r@b.test");
        loop.runDue();
        held.endOldest(QueueFixture::refused);
        loop.runDue();
        assertThat(snapshot(queue, "b.test").concurrencyLimit()).isEqualTo(2);
        assertThat(metrics.grew).hasValue(0);
        assertThat(metrics.shrank).hasValue(0);
    }

    @Test
    void aRateSpacesAttemptsWithoutCountingThem() throws Exception {
        Spool spool = fixture.spool();
        List<Long> starts = new CopyOnWriteArrayList<>();
        DeliveryScheduler queue = queue(
                spool,
                new DeliveryLimits(100, 10),
                (domain, r) -> {
                    starts.add(fixture.clock.millis() - START.toEpochMilli());
                    return QueueFixture.all(r, QueueFixture::ok);
                },
                policy(new DestinationRule("b.test", MessageRate.parse("2/s"), 0, 0)));
        List<QueueId> ids = enqueue(queue, 4, "r@b.test");
        fixture.enqueue(queue, "<s@a.test>", "r@c.test");
        loop.runDue();
        assertThat(starts).as("one to b.test at once, c.test is not held back").hasSize(2);
        assertThat(spool.find(ids.get(1)).orElseThrow().states().get(0)).isEqualTo(RecipientState.PENDING);

        loop.advance(Duration.ofMillis(499));
        assertThat(starts).hasSize(2);
        loop.advance(Duration.ofMillis(1));
        assertThat(starts).hasSize(3);
        loop.advance(Duration.ofSeconds(1));
        loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(starts).containsExactly(0L, 0L, 500L, 1000L, 1500L);
        assertThat(snapshot(queue, "b.test").rate()).contains(MessageRate.parse("2/s"));
    }

    @Test
    void aMatchingReplySuspendsDefersTheRestWithoutAnAttemptAndResumesAtExpiry() throws Exception {
        Spool spool = fixture.spool();
        AtomicInteger calls = new AtomicInteger();
        DeliveryScheduler queue = queue(
                spool,
                new DeliveryLimits(100, 10),
                (domain, r) -> calls.incrementAndGet() == 1
                        ? QueueFixture.all(r, ShapingTest::slowDown)
                        : QueueFixture.all(r, QueueFixture::ok),
                ShapingPolicy.DEFAULT);
        QueueId first = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runDue();
        assertThat(calls).hasValue(1);
        List<QueueId> later = enqueue(queue, 3, "r@b.test");
        loop.runDue();

        assertSuspendedAutomatically(queue, "b.test", "421 4.7.0");
        assertThat(snapshot(queue, "b.test").queued()).isEqualTo(4);
        assertThat(queue.suspendedDestinations()).isEqualTo(1);
        loop.runUntil(() ->
                later.stream().allMatch(id -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED));
        for (QueueId id : later) {
            RecipientState s = QueueFixture.state(spool, id, 0);
            assertThat(s.kind()).isEqualTo(RecipientState.Kind.DEFERRED);
            assertThat(s.attempts()).as("no attempt counted").isZero();
            assertThat(s.nextAttemptMillis())
                    .isEqualTo(START.plus(Duration.ofMinutes(5)).toEpochMilli());
        }
        assertThat(QueueFixture.state(spool, first, 0).attempts()).isEqualTo(1);

        // The first message's retry (about 1 min) falls within the suspension: deferred again, not tried.
        fixture.loop.advance(Duration.ofMinutes(4));
        assertThat(calls).hasValue(1);
        loop.runUntil(() -> QueueFixture.state(spool, first, 0).nextAttemptMillis()
                == START.plus(Duration.ofMinutes(5)).toEpochMilli());
        assertThat(QueueFixture.state(spool, first, 0).attempts()).isEqualTo(1);

        fixture.loop.advance(Duration.ofMinutes(1));
        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(calls).hasValue(5);
        assertThat(queue.suspendedDestinations()).isZero();
        assertThat(snapshot(queue, "b.test").state()).isEqualTo(DestinationSnapshot.State.ACTIVE);
        assertThat(metrics.auto).hasValue(1);
        assertThat(metrics.parked).hasValue(4);
    }

    @Test
    void aDestinationNoHostOfWhichAnswersIsSuspendedOnceItIsTriedOneAtATime() throws Exception {
        Spool spool = fixture.spool();
        Held held = held();
        DeliveryScheduler queue = queue(spool, new DeliveryLimits(100, 10), held, ShapingPolicy.DEFAULT);
        List<QueueId> ids = enqueue(queue, 30, "r@b.test");
        loop.runDue();
        assertThat(held.open).as("the initial concurrency").hasSize(2);

        held.endOldest(ShapingTest::unreachable);
        loop.runDue();
        assertThat(snapshot(queue, "b.test").state())
                .as("one failure at a limit of 2 halves it, no more")
                .isEqualTo(DestinationSnapshot.State.ACTIVE);
        held.endOldest(ShapingTest::unreachable);
        loop.runDue();

        assertSuspendedAutomatically(
                queue, "b.test", "no host answered: mx.test [127.0.0.1]: connect: Connection refused");
        assertThat(metrics.auto).hasValue(1);
        List<QueueId> rest = ids.subList(2, ids.size());
        loop.runUntil(() ->
                rest.stream().allMatch(id -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED));
        assertThat(held.open).as("nothing more knocks on the closed door").isEmpty();
        assertThat(QueueFixture.state(spool, rest.get(0), 0).attempts()).isZero();

        // At its end one attempt probes the destination; still no answer, and it is suspended again at once.
        loop.advance(Duration.ofMinutes(5));
        loop.runDue();
        assertThat(held.open).hasSize(1);
        held.endOldest(ShapingTest::unreachable);
        loop.runDue();
        assertThat(held.open).isEmpty();
        assertThat(snapshot(queue, "b.test").state()).isEqualTo(DestinationSnapshot.State.SUSPENDED);
        assertThat(metrics.auto).hasValue(2);

        // Once it answers again, its mail goes.
        loop.advance(Duration.ofMinutes(5));
        loop.runDue();
        held.endOldest(QueueFixture::ok);
        loop.runDue();
        assertThat(snapshot(queue, "b.test").state()).isEqualTo(DestinationSnapshot.State.ACTIVE);
        assertThat(held.open)
                .as("the rest goes out, and the limit grows again as it delivers")
                .hasSize(2);
    }

    /** A destination that answers (with 4xx) is never suspended as unreachable; nor one that does not, when that is off. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void isNotSuspendedWhileItAnswersNorWhenSuspendingTheUnreachableIsOff(boolean unreachableButOff) throws Exception {
        Spool spool = fixture.spool();
        AtomicInteger calls = new AtomicInteger();
        ShapingPolicy d = ShapingPolicy.DEFAULT;
        DeliveryScheduler queue = queue(
                spool,
                new DeliveryLimits(100, 10),
                (domain, r) -> {
                    calls.incrementAndGet();
                    return QueueFixture.all(r, unreachableButOff ? ShapingTest::unreachable : QueueFixture::busy);
                },
                new ShapingPolicy(
                        d.initialConcurrency(), List.of(), d.suspendOn(), d.suspendFor(), !unreachableButOff));
        List<QueueId> ids = enqueue(queue, 6, "r@b.test");
        loop.runUntil(() ->
                ids.stream().allMatch(id -> QueueFixture.state(spool, id, 0).attempts() == 1));

        assertThat(calls).as("every message tried").hasValue(6);
        assertThat(snapshot(queue, "b.test").state()).isEqualTo(DestinationSnapshot.State.ACTIVE);
        assertThat(snapshot(queue, "b.test").concurrencyLimit()).isEqualTo(1);
        assertThat(metrics.auto).hasValue(0);
    }

    /** Recipients parked by one suspension share one state, as those one attempt deferred do: the queue is on the heap. */
    @Test
    void recipientsParkedTogetherShareOneState() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = suspendedByHand(spool, "b.test");
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r1@b.test", "r2@b.test", "r3@b.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 2).kind() == RecipientState.Kind.DEFERRED);

        List<RecipientState> states = spool.find(id).orElseThrow().states();
        assertThat(fixture.requests).isEmpty();
        assertThat(states.get(1)).isSameAs(states.get(0));
        assertThat(states.get(2)).isSameAs(states.get(0));
    }

    @Test
    void aManualSuspensionHoldsEverythingUntilResumed() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = suspendedByHand(spool, "B.test");
        Suspension s = lastSuspension;
        assertThat(s.manual()).isTrue();
        assertThat(s.until()).isEmpty();
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test", "q@c.test");
        loop.runDue();
        fixture.loop.advance(Duration.ofMinutes(30));

        assertThat(fixture.requests).as("only c.test").hasSize(1);
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED);
        assertThat(Files.readString(dir.resolve("suspensions")))
                .contains("b.test")
                .contains("maintenance");

        assertThat(await(queue.destinations().resume("b.test"))).isTrue();
        loop.runUntil(() -> spool.pending().isEmpty());
        assertThat(fixture.requests).hasSize(2);
        assertThat(await(queue.destinations().resume("b.test")))
                .as("not suspended any more")
                .isFalse();
        assertThat(Files.readAllLines(dir.resolve("suspensions"))).containsExactly(SuspensionStore.HEADER);
        assertThat(metrics.manual).hasValue(1);
    }

    @Test
    void oneDestinationIsShownWhenSuspendedOrQueuedAndUnknownOtherwise() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = suspendedByHand(spool, "b.test");
        DestinationAdmin admin = queue.destinations();
        assertThat(await(admin.destination("B.Test"))).hasValueSatisfying(d -> {
            assertThat(d.name()).isEqualTo("b.test");
            assertThat(d.queued()).isZero();
            assertThat(d.suspension())
                    .hasValueSatisfying(x -> assertThat(x.reason()).isEqualTo("maintenance"));
        });
        assertThat(await(admin.destination("c.test"))).as("nothing known of it").isEmpty();

        fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runDue();
        assertThat(await(admin.destination("b.test")))
                .hasValueSatisfying(d -> assertThat(d.queued()).isEqualTo(1));
        assertThatThrownBy(() ->
                        admin.destination("no such@name").toCompletableFuture().get())
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aResumeByHandAfterARestartSendsWhatTheSuspensionDeferred() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler first = suspendedByHand(spool, "b.test");
        QueueId id = fixture.enqueue(first, "<s@a.test>", "r@b.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED);
        CompletionStage<Void> stopped = first.shutdown();
        loop.runUntil(() -> stopped.toCompletableFuture().isDone());
        spool.close();

        Spool reopened = fixture.spool();
        DeliveryScheduler second =
                queue(reopened, new DeliveryLimits(100, 10), fixture.delivering(), ShapingPolicy.DEFAULT);
        fixture.loop.advance(Duration.ofMinutes(10));
        assertThat(snapshot(second, "b.test").suspension())
                .as("still suspended after the restart")
                .hasValueSatisfying(s -> assertThat(s.reason()).isEqualTo("maintenance"));
        assertThat(fixture.requests).isEmpty();

        assertThat(await(second.destinations().resume("b.test"))).isTrue();
        loop.runUntil(() -> reopened.pending().isEmpty());
        assertThat(fixture.requests).singleElement().satisfies(r -> assertThat(r.id())
                .isEqualTo(id));
        assertThat(fixture.clock.instant())
                .as("at once, not at the end of the lifetime")
                .isEqualTo(START.plus(Duration.ofMinutes(10)));
    }

    @Test
    void theLifetimeRunsWhileSuspended() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = suspendedByHand(spool, "b.test");
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runDue();

        fixture.loop.advance(Duration.ofHours(1));
        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.requests).as("only the bounce, to a.test").hasSize(1);
        assertThat(fixture.reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Bouncer.Kind.FAILURE);
            assertThat(r.recipients().get(0).last().diagnostic()).contains("suspended");
        });
    }

    /** RFC 3464 2.3.7: the report of a recipient that expired while suspended names its last real attempt. */
    @Test
    void aRecipientThatExpiresWhileSuspendedIsReportedWithItsLastRealAttempt() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = queue(
                spool,
                new DeliveryLimits(100, 10),
                (domain, r) -> domain.equals("b.test")
                        ? QueueFixture.all(r, QueueFixture::busy)
                        : fixture.delivering().deliver(domain, r),
                ShapingPolicy.DEFAULT);
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "r@b.test");
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).attempts() == 1);
        await(queue.destinations().suspend("b.test", Optional.empty(), "maintenance"));

        fixture.loop.advance(Duration.ofHours(1));
        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Bouncer.Kind.FAILURE);
            LastAttempt last = r.recipients().get(0).last();
            assertThat(last.atMillis()).as("the attempt's time").isEqualTo(START.toEpochMilli());
            assertThat(last.remoteMta()).isEqualTo("mx.test");
            assertThat(last.reply().code()).isEqualTo(451);
            assertThat(last.diagnostic())
                    .startsWith("delivery time expired after 1h; last error: 451")
                    .doesNotContain("suspended");
        });
    }

    @Test
    void aManualSuspensionOutlastsARestartAndExpiresOnTime() throws Exception {
        Path file = dir.resolve("suspensions");
        Shaping before = shaping(file);
        before.suspend("b.test", Optional.of(Duration.ofMinutes(10)), "moving the\nmail servers");
        await(before.lastWrite());
        assertThat(Files.list(dir)).as("no temporary file left").containsExactly(file);

        fixture.loop.advance(Duration.ofMinutes(4));
        List<String> resumed = new ArrayList<>();
        Shaping after = shaping(file, resumed);
        after.restore();
        Suspension s = after.suspension("b.test");
        assertThat(s.manual()).isTrue();
        assertThat(s.reason()).isEqualTo("moving the mail servers");
        assertThat(s.until()).contains(START.plus(Duration.ofMinutes(10)));

        fixture.loop.advance(Duration.ofMinutes(6).minusMillis(1));
        assertThat(resumed).isEmpty();
        fixture.loop.advance(Duration.ofMillis(1));
        assertThat(resumed).containsExactly("b.test");
        assertThat(after.suspension("b.test")).isNull();
        await(after.lastWrite());
        assertThat(Files.readAllLines(file)).containsExactly(SuspensionStore.HEADER);
    }

    @Test
    void anExpiredSuspensionIsNotInForceEvenBeforeItsTimerRuns() {
        Shaping shaping = shaping(null);
        shaping.suspend("b.test", Optional.of(Duration.ofSeconds(10)), "x");
        fixture.clock.advance(Duration.ofSeconds(10).minusMillis(1));
        assertThat(shaping.suspension("b.test")).isNotNull();
        // The clock alone moves: a message woken at the same moment is tried, not deferred again.
        fixture.clock.advance(Duration.ofMillis(1));
        assertThat(shaping.suspension("b.test")).isNull();
    }

    @Test
    void anExpiredSuspensionIsDroppedAtStart() throws Exception {
        Path file = dir.resolve("suspensions");
        Files.writeString(
                file,
                SuspensionStore.HEADER + "\nb.test 0 " + START.minusSeconds(1).toEpochMilli() + " old\n"
                        + "c.test 0 - forever\nbroken line\n");
        Shaping shaping = shaping(file);
        shaping.restore();
        assertThat(shaping.suspension("b.test")).isNull();
        assertThat(shaping.suspension("c.test").until()).isEmpty();
        await(shaping.lastWrite());
        assertThat(Files.readAllLines(file)).containsExactly(SuspensionStore.HEADER, "c.test 0 - forever");
    }

    @Test
    void aSuspensionUntilATimeEndsAtExactlyThatTime() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue =
                queue(spool, new DeliveryLimits(100, 10), fixture.delivering(), ShapingPolicy.DEFAULT);
        DestinationAdmin admin = queue.destinations();
        Instant until = START.plus(Duration.ofMinutes(10));

        Suspension s = await(admin.suspendUntil("b.test", until, ""));

        assertThat(s.until()).hasValue(until);
        assertThat(s.reason()).isEqualTo("suspended by hand");
        assertThat(Files.readString(dir.resolve("suspensions"))).contains("b.test");
        fixture.loop.advance(Duration.ofMinutes(10));
        assertThat(await(admin.destination("b.test")))
                .hasValueSatisfying(d -> assertThat(d.state()).isEqualTo(DestinationSnapshot.State.ACTIVE));
        assertThatThrownBy(() -> await(admin.suspendUntil("b.test", START, "too late")))
                .as("not later than now")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesWhatIsNoDestination() {
        DestinationAdmin admin = new Destinations(loop, shaping(null), java.util.Map::of);
        for (String bad : new String[] {"", " ", "a b.test", "r@b.test", "x".repeat(256)}) {
            assertThatThrownBy(() -> admin.suspend(bad, Optional.empty(), "x")
                            .toCompletableFuture()
                            .get())
                    .as(bad)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> admin.suspend("b.test", Optional.of(Duration.ZERO), "x")
                        .toCompletableFuture()
                        .get())
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    /** A queue that delivers everything, with {@code destination} suspended by hand, without expiry. */
    private DeliveryScheduler suspendedByHand(Spool spool, String destination) throws Exception {
        DeliveryScheduler queue =
                queue(spool, new DeliveryLimits(100, 10), fixture.delivering(), ShapingPolicy.DEFAULT);
        lastSuspension = await(queue.destinations().suspend(destination, Optional.empty(), "maintenance"));
        return queue;
    }

    private Shaping shaping(Path file) {
        return shaping(file, new ArrayList<>());
    }

    private Shaping shaping(Path file, List<String> resumed) {
        Shaping s = new Shaping(
                ShapingPolicy.DEFAULT, 10, loop, fixture.clock, metrics, new SuspensionStore(file, Runnable::run));
        s.listen(new Shaping.Listener() {
            @Override
            public void opened(String destination) {}

            @Override
            public void suspended(String destination) {}

            @Override
            public void resumed(String destination, boolean byHand) {
                resumed.add(destination);
            }
        });
        return s;
    }

    /** What the queue hears when every mail exchanger of a destination refused the connection. */
    static RecipientOutcome unreachable(int index, String host) {
        return RecipientOutcome.temporary(index, "4.4.1", host + " [127.0.0.1]: connect: Connection refused", host);
    }

    static RecipientOutcome slowDown(int index, String host) {
        return RecipientOutcome.fromReply(index, new SmtpReply(421, "4.7.0", "Try again later"), host);
    }
}
