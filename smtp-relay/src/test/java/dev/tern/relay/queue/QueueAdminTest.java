package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.QueueAdmin.Action;
import dev.tern.relay.queue.QueueAdmin.Detail;
import dev.tern.relay.queue.QueueAdmin.Entry;
import dev.tern.relay.queue.QueueAdmin.Order;
import dev.tern.relay.queue.QueueAdmin.Page;
import dev.tern.relay.queue.QueueAdmin.Query;
import dev.tern.relay.queue.QueueAdmin.Result;
import dev.tern.relay.queue.QueueAdmin.State;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.queue.QueueId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's view of and hand on the queue, on the queue's own thread (run by the test) with a
 * controlled clock and a real spool: every retry here would otherwise be a minute or more away.
 */
class QueueAdminTest {
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @RegisterExtension
    final QueueFixture fixture = new QueueFixture(START);

    private final ManualQueueExecutor loop = fixture.loop;

    /** Every recipient of busy.test is deferred (451), everything else is delivered. */
    private final Deliverer busyTest = (domain, r) -> domain.equals("busy.test")
            ? QueueFixture.all(r, QueueFixture::busy)
            : QueueFixture.all(r, QueueFixture::ok);

    @Test
    void listsByStateSenderRecipientAndDomainWithPagesInEitherOrder() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, DeliverySchedulerTest.POLICY, busyTest);
        QueueId first = fixture.enqueue(queue, "<alice@a.test>", "bob@busy.test");
        fixture.loop.advance(Duration.ofSeconds(1));
        QueueId second = fixture.enqueue(queue, "<carol@a.test>", "dave@busy.test", "erin@ok.test");
        fixture.loop.advance(Duration.ofSeconds(1));
        QueueId third = fixture.enqueue(queue, "<alice@a.test>", "frank@busy.test");
        loop.runUntil(() -> allDeferred(spool));
        assertThat(run(queue.admin().hold(third))).isEqualTo(found(new Action("held", 1, 0)));

        assertThat(ids(list(queue, query(null, null, null, null, 10, 0, Order.OLDEST))))
                .containsExactly(first, second, third);
        assertThat(ids(list(queue, query(null, null, null, State.HELD, 10, 0, Order.OLDEST))))
                .containsExactly(third);
        assertThat(ids(list(queue, query(null, null, null, State.DEFERRED, 10, 0, Order.NEWEST))))
                .containsExactly(second, first);
        assertThat(ids(list(queue, query("ALICE@", null, null, null, 10, 0, Order.OLDEST))))
                .containsExactly(first, third);
        assertThat(ids(list(queue, query(null, "dave", null, null, 10, 0, Order.OLDEST))))
                .containsExactly(second);
        assertThat(ids(list(queue, query(null, null, "OK.test", null, 10, 0, Order.OLDEST))))
                .containsExactly(second);
        Page page = list(queue, query(null, null, null, null, 1, 1, Order.NEWEST));
        assertThat(page.total()).isEqualTo(3);
        assertThat(ids(page)).containsExactly(second);

        Entry entry = page.entries().get(0);
        assertThat(entry.sender()).isEqualTo("carol@a.test");
        assertThat(entry.state()).isEqualTo(State.DEFERRED);
        assertThat(entry.arrivalMillis()).isEqualTo(START.toEpochMilli() + 1000);
        assertThat(entry.size()).isEqualTo("Subject: t\r\n\r\nbody\r\n".length());
        assertThat(entry.recipients())
                .extracting(QueueAdmin.Recipient::address, QueueAdmin.Recipient::state, QueueAdmin.Recipient::attempts)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("dave@busy.test", RecipientState.Kind.DEFERRED, 1),
                        org.assertj.core.api.Assertions.tuple("erin@ok.test", RecipientState.Kind.DELIVERED, 1));
        assertThat(entry.recipients().get(0).last().diagnostic()).contains("busy");
        assertThat(entry.recipients().get(0).nextAttemptMillis()).isGreaterThan(START.toEpochMilli());
    }

    /** A page ends before the message that would take it past 2,000 recipients, so its answer stays small. */
    @Test
    void endsAPageBeforeItPassesTwoThousandRecipients() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, DeliverySchedulerTest.POLICY, busyTest);
        String[] many =
                IntStream.range(0, 800).mapToObj(i -> "r" + i + "@busy.test").toArray(String[]::new);
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(fixture.enqueue(queue, "<alice@a.test>", many));
            fixture.loop.advance(Duration.ofSeconds(1));
        }

        Page first = list(queue, query(null, null, null, null, 10, 0, Order.OLDEST));
        Page rest = list(queue, query(null, null, null, null, 10, 2, Order.OLDEST));

        assertThat(first.total()).isEqualTo(3);
        assertThat(ids(first)).containsExactly(ids.get(0), ids.get(1));
        assertThat(ids(rest)).containsExactly(ids.get(2));
    }

    @Test
    void showsTheEnvelopeHeaderSectionAndEachRecipientsLastOutcome() throws Exception {
        QueueId id = deferred("bob@busy.test");

        Result<Detail> shown = run(queue.admin().show(id));

        assertThat(shown).isInstanceOfSatisfying(Result.Found.class, f -> {
            Detail d = (Detail) f.value();
            assertThat(d.headers()).isEqualTo("Subject: t\r\n");
            assertThat(d.headersTruncated()).isFalse();
            assertThat(d.entry().recipients().get(0).last().reply().code()).isEqualTo(451);
        });
        assertThat(run(queue.admin().show(new QueueId("NOSUCHID"))))
                .isEqualTo(new Result.NotFound<>(new QueueId("NOSUCHID")));
    }

    @Test
    void aHeldMessageIsNotAttemptedUntilReleasedAndStaysHeldAcrossARestart() throws Exception {
        QueueId id = deferred("bob@busy.test");
        assertThat(run(queue.admin().hold(id))).isEqualTo(found(new Action("held", 1, 0)));
        assertThat(run(queue.admin().hold(id))).isEqualTo(found(new Action("already held", 0, 0)));
        assertThat(run(queue.admin().flush(id))).isInstanceOf(Result.Refused.class);

        loop.advance(Duration.ofMinutes(30));
        assertThat(fixture.requests).as("no attempt while held").hasSize(1);

        CompletionStage<Void> stopped = queue.shutdown();
        loop.runUntil(() -> stopped.toCompletableFuture().isDone());
        spool.close();
        Spool reopened = fixture.spool();
        DeliveryScheduler again = fixture.scheduler(reopened, DeliverySchedulerTest.POLICY, fixture.delivering());
        loop.advance(Duration.ofMinutes(20));
        assertThat(fixture.requests).as("still held after the restart").hasSize(1);
        assertThat(list(again, Query.all()).entries()).singleElement().satisfies(e -> assertThat(e.state())
                .isEqualTo(State.HELD));

        assertThat(run(again.admin().release(id))).isEqualTo(found(new Action("released", 1, 0)));
        loop.runUntil(() -> reopened.find(id).isEmpty());
        assertThat(fixture.requests).hasSize(2);
    }

    @Test
    void aHeldMessageKeepsItsLifetimeAndIsReturnedWhenReleasedTooLate() throws Exception {
        QueueId id = deferred("bob@busy.test");
        run(queue.admin().hold(id));

        loop.advance(Duration.ofHours(2)); // past the one-hour lifetime
        run(queue.admin().release(id));
        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Bouncer.Kind.FAILURE);
            assertThat(r.recipients().get(0).last().status().toString()).isEqualTo("4.4.7");
        });
    }

    @Test
    void flushTriesDeferredRecipientsNowAndOnlyInTheGivenDomain() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(
                spool,
                DeliverySchedulerTest.POLICY,
                (domain, r) -> fixture.requests.size() <= 2
                        ? QueueFixture.all(r, QueueFixture::busy)
                        : QueueFixture.all(r, QueueFixture::ok));
        QueueId one = fixture.enqueue(queue, "<alice@a.test>", "bob@one.test");
        QueueId two = fixture.enqueue(queue, "<alice@a.test>", "bob@two.test");
        loop.runUntil(() -> allDeferred(spool) && spool.pending().size() == 2);

        assertThat(run(queue.admin().flushAll("ONE.test"))).isEqualTo(new Action("flushed", 1, 1));
        loop.runUntil(() -> spool.find(one).isEmpty());
        assertThat(spool.find(two)).as("the other domain waits for its time").isPresent();

        assertThat(run(queue.admin().flush(two))).isEqualTo(found(new Action("flushed", 1, 1)));
        loop.runUntil(() -> spool.find(two).isEmpty());
        assertThat(fixture.clock.instant())
                .as("no time passed: nothing waited for its retry")
                .isEqualTo(START);
    }

    @Test
    void requeueTriesEveryUnfinishedRecipientNow() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, DeliverySchedulerTest.POLICY, busyTest);
        fixture.enqueue(queue, "<alice@a.test>", "bob@busy.test");
        fixture.enqueue(queue, "<alice@a.test>", "carol@busy.test");
        loop.runUntil(() -> allDeferred(spool) && fixture.requests.size() == 2);

        assertThat(run(queue.admin().requeueAll())).isEqualTo(new Action("requeued", 2, 2));
        loop.runDue();
        assertThat(fixture.requests).hasSize(4);
    }

    @Test
    void deleteRemovesTheMessageWithNoReportForGood() throws Exception {
        QueueId id = deferred("bob@busy.test");

        assertThat(run(queue.admin().delete(id))).isEqualTo(found(new Action("deleted", 1, 0)));
        assertThat(spool.find(id)).isEmpty();
        loop.advance(Duration.ofHours(2));
        assertThat(fixture.requests).as("never tried again").hasSize(1);
        assertThat(fixture.reports).isEmpty();
        assertThat(run(queue.admin().delete(id))).isEqualTo(new Result.NotFound<>(id));

        spool.close();
        assertThat(fixture.spool().find(id)).as("not back after a restart").isEmpty();
    }

    @Test
    void bounceFailsEveryUnfinishedRecipientAndReportsToTheSender() throws Exception {
        QueueId id = deferred("bob@busy.test", "carol@ok.test", "dave@busy.test");

        assertThat(run(queue.admin().bounce(id))).isEqualTo(found(new Action("returned to the sender", 1, 2)));
        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Bouncer.Kind.FAILURE);
            assertThat(r.recipients()).extracting(Bouncer.Recipient::index).containsExactly(0, 2);
            assertThat(r.recipients().get(0).last().status().toString()).isEqualTo("5.0.0");
            assertThat(r.recipients().get(0).last().diagnostic())
                    .startsWith("returned to the sender by the operator of Tern; last error:");
        });
    }

    @Test
    void bounceDuringAnAttemptFailsWhatTheAttemptLeavesUnfinished() throws Exception {
        Spool spool = fixture.spool();
        CompletableFuture<List<dev.tern.relay.delivery.RecipientOutcome>> attempt = new CompletableFuture<>();
        DeliveryScheduler queue = fixture.scheduler(spool, DeliverySchedulerTest.POLICY, (d, r) -> attempt);
        QueueId id = fixture.enqueue(queue, "<alice@a.test>", "bob@busy.test");
        loop.runUntil(() -> fixture.requests.size() == 1);
        assertThat(list(queue, Query.all()).entries().get(0).state()).isEqualTo(State.ACTIVE);

        assertThat(run(queue.admin().bounce(id))).isEqualTo(found(new Action("returned to the sender", 1, 1)));
        attempt.complete(List.of(QueueFixture.busy(0, "mx.test")));
        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports).singleElement().satisfies(r -> assertThat(
                        r.recipients().get(0).last().status().toString())
                .isEqualTo("5.0.0"));
    }

    @Test
    void unknownIdsAreNotFound() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, DeliverySchedulerTest.POLICY, busyTest);
        QueueId none = new QueueId("NOSUCHID");
        for (var op : List.<java.util.function.Function<QueueId, CompletionStage<Result<Action>>>>of(
                queue.admin()::hold,
                queue.admin()::release,
                queue.admin()::delete,
                queue.admin()::bounce,
                queue.admin()::flush,
                queue.admin()::requeue)) {
            assertThat(run(op.apply(none))).isEqualTo(new Result.NotFound<>(none));
        }
    }

    private Spool spool;
    private DeliveryScheduler queue;

    /** Starts the queue on busyTest and spools a message from alice, run until its first attempt ended. */
    private QueueId deferred(String... to) throws Exception {
        spool = fixture.spool();
        queue = fixture.scheduler(spool, DeliverySchedulerTest.POLICY, busyTest);
        QueueId id = fixture.enqueue(queue, "<alice@a.test>", to);
        loop.runUntil(() -> allDeferred(spool));
        return id;
    }

    private static Query query(
            String sender, String recipient, String domain, State state, int limit, int offset, Order order) {
        return new Query(sender, recipient, domain, state, limit, offset, order);
    }

    private Page list(DeliveryScheduler queue, Query query) {
        return run(queue.admin().list(query));
    }

    private static List<QueueId> ids(Page page) {
        return page.entries().stream().map(Entry::id).toList();
    }

    private static Result<Action> found(Action action) {
        return new Result.Found<>(action);
    }

    private static boolean allDeferred(Spool spool) {
        return !spool.pending().isEmpty()
                && spool.pending().stream()
                        .flatMap(m -> m.states().stream())
                        .noneMatch(s -> s.kind() == RecipientState.Kind.PENDING);
    }

    private <T> T run(CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        loop.runUntil(f::isDone);
        return f.join();
    }
}
