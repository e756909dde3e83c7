package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.RecipientState.Notice;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptParameters.Notify;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.queue.QueueId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which reports the queue asks for, when, and that a restart never asks for one twice (RFC 3461). */
class ReportsTest {
    /** Retries after 1 min doubling to 8 min, one day in all, the warning after 10 minutes. */
    static final RetryPolicy WARNING =
            new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(8), Duration.ofDays(1), Duration.ofMinutes(10));

    static final RcptParameters SUCCESS = new RcptParameters(Set.of(Notify.SUCCESS), null);

    @RegisterExtension
    final QueueFixture fixture = new QueueFixture(Instant.parse("2030-01-01T00:00:00Z"));

    private final MutableClock clock = fixture.clock;
    private final ManualQueueExecutor loop = fixture.loop;

    @Test
    void reportsASuccessAsSoonAsItHappensAndMarksIt() throws Exception {
        Spool spool = fixture.spool();
        // Delivered here (no remote host), while the other recipient is deferred.
        DeliveryScheduler queue = fixture.scheduler(
                spool,
                WARNING,
                (domain, r) -> QueueFixture.all(
                        r,
                        (i, h) -> domain.equals("local.test")
                                ? RecipientOutcome.delivered(i, "delivered to maildir", null)
                                : QueueFixture.busy(i, h)));
        QueueId id = fixture.enqueue(queue, "<s@a.test>", SUCCESS, "bob@local.test", "carol@b.test");

        loop.runUntil(() -> QueueFixture.state(spool, id, 0).notified().contains(Notice.SUCCESS));

        assertThat(fixture.reports).singleElement().satisfies(report -> {
            assertThat(report.kind()).isEqualTo(Bouncer.Kind.SUCCESS);
            assertThat(report.recipients()).extracting(Bouncer.Recipient::index).containsExactly(0);
        });
        assertThat(spool.find(id)).as("carol is still to do").isPresent();
    }

    @Test
    void leavesTheSuccessToANextHopThatTookTheDsnParameters() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(
                spool,
                WARNING,
                (domain, r) -> QueueFixture.all(
                        r, (i, h) -> RecipientOutcome.fromReply(i, new SmtpReply(250, "2.0.0", "ok"), h, true)));
        QueueId id = fixture.enqueue(queue, "<s@a.test>", SUCCESS, "bob@b.test");

        loop.runUntil(() -> spool.find(id).isEmpty());

        // RFC 3461 5.2.1: the next hop got NOTIFY=SUCCESS and reports delivery itself.
        assertThat(fixture.reports).isEmpty();
    }

    @Test
    void reportsASuccessToAHopWithoutDsnWhenItFinishesTheMessage() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, WARNING, fixture.delivering());
        QueueId id = fixture.enqueue(queue, "<s@a.test>", SUCCESS, "bob@b.test");

        loop.runUntil(() -> spool.find(id).isEmpty());

        // RFC 3461 5.2.2 (b): the next hop will not report it, so we do ("relayed", from its host).
        assertThat(fixture.reports).singleElement().satisfies(report -> {
            assertThat(report.kind()).isEqualTo(Bouncer.Kind.SUCCESS);
            assertThat(report.recipients().get(0).last().remoteMta()).isEqualTo("mx.test");
        });
    }

    @Test
    void reportsFailuresAndSuccessesOfOneMessageApart() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(
                spool,
                WARNING,
                (domain, r) -> r.envelope().reversePath().isNull()
                        ? QueueFixture.all(r, QueueFixture::ok)
                        : QueueFixture.all(
                                r,
                                (i, h) ->
                                        domain.equals("b.test") ? QueueFixture.ok(i, h) : QueueFixture.refused(i, h)));
        QueueId id = fixture.enqueue(
                queue,
                "<s@a.test>",
                new RcptParameters(Set.of(Notify.SUCCESS, Notify.FAILURE), null),
                "bob@b.test",
                "carol@c.test");

        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports)
                .extracting(Bouncer.Report::kind)
                .containsExactlyInAnyOrder(Bouncer.Kind.FAILURE, Bouncer.Kind.SUCCESS);
        assertThat(fixture.reports).allSatisfy(r -> assertThat(r.recipients()).hasSize(1));
    }

    /**
     * A recipient that fails is reported after its attempt, while another waits for its retry (Postfix
     * reports after each delivery pass); the later failure gets a report of its own, the first no second.
     */
    @Test
    void reportsAFailureAfterItsAttemptWhileAnotherRecipientWaits() throws Exception {
        Spool spool = fixture.spool();
        java.util.concurrent.atomic.AtomicInteger toC = new java.util.concurrent.atomic.AtomicInteger();
        DeliveryScheduler queue = fixture.scheduler(spool, WARNING, (domain, r) -> {
            if (r.envelope().reversePath().isNull()) {
                return QueueFixture.all(r, QueueFixture::ok);
            }
            if (domain.equals("b.test")) {
                return QueueFixture.all(r, QueueFixture::refused);
            }
            return QueueFixture.all(r, toC.incrementAndGet() == 1 ? QueueFixture::busy : QueueFixture::refused);
        });
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "bob@b.test", "carol@c.test");

        loop.runUntil(() -> QueueFixture.state(spool, id, 0).notified().contains(Notice.FAILURE)
                && QueueFixture.state(spool, id, 1).kind() == RecipientState.Kind.DEFERRED);
        assertThat(fixture.reports).singleElement().satisfies(report -> {
            assertThat(report.kind()).isEqualTo(Bouncer.Kind.FAILURE);
            assertThat(report.recipients()).extracting(Bouncer.Recipient::index).containsExactly(0);
        });
        assertThat(spool.find(id)).as("carol is still to do").isPresent();

        loop.advance(Duration.ofMinutes(2));
        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports)
                .extracting(Bouncer.Report::kind)
                .containsExactly(Bouncer.Kind.FAILURE, Bouncer.Kind.FAILURE);
        assertThat(fixture.reports.get(1).recipients())
                .extracting(Bouncer.Recipient::index)
                .containsExactly(1);
    }

    @Test
    void asksNothingWithoutNotifySuccess() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, WARNING, fixture.delivering());
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "bob@b.test");

        loop.runUntil(() -> spool.find(id).isEmpty());

        assertThat(fixture.reports).isEmpty();
    }

    @Test
    void warnsOncePerMessageEvenAcrossARestart() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler first =
                fixture.scheduler(spool, WARNING, (domain, r) -> QueueFixture.all(r, QueueFixture::busy));
        QueueId id = fixture.enqueue(first, "<s@a.test>", "bob@b.test", "carol@c.test");
        loop.advance(Duration.ofMinutes(9));
        assertThat(fixture.reports).as("not yet").isEmpty();

        loop.advance(Duration.ofMinutes(8));
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).notified().contains(Notice.DELAY)
                && QueueFixture.state(spool, id, 1).notified().contains(Notice.DELAY));
        assertThat(fixture.reports).singleElement().satisfies(report -> {
            assertThat(report.kind()).isEqualTo(Bouncer.Kind.DELAY);
            assertThat(report.recipients()).extracting(Bouncer.Recipient::index).containsExactly(0, 1);
            assertThat(report.retryUntil()).isEqualTo(Instant.parse("2030-01-02T00:00:00Z"));
        });
        loop.advance(Duration.ofMinutes(30));
        assertThat(fixture.reports).as("once").hasSize(1);

        CompletionStage<Void> stopped = first.shutdown();
        loop.runUntil(() -> stopped.toCompletableFuture().isDone());
        spool.close();
        Spool reopened = fixture.spool();
        fixture.scheduler(reopened, WARNING, (domain, r) -> QueueFixture.all(r, QueueFixture::busy));
        loop.advance(Duration.ofHours(2));
        // Retried after the restart: each retry follows the spool writer's record of the last, on its thread.
        loop.runUntil(() -> QueueFixture.state(reopened, id, 0).attempts() > 5);

        assertThat(fixture.reports).as("and still only the one warning").hasSize(1);
    }

    /**
     * An attempt that ends past the warning age while no recipient is deferred (another destination's is
     * still in its first attempt) warns nobody, and does not use up the warning: that recipient's deferral
     * brings it.
     */
    @Test
    void theWarningWaitsForARecipientDeferredNotForTheFirstAttemptToEndLate() throws Exception {
        Spool spool = fixture.spool();
        java.util.Map<String, CompletableFuture<List<RecipientOutcome>>> open =
                new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<String, DeliveryRequest> asked = new java.util.concurrent.ConcurrentHashMap<>();
        DeliveryScheduler queue = fixture.scheduler(spool, WARNING, (domain, r) -> {
            asked.put(domain, r);
            return open.computeIfAbsent(domain, d -> new CompletableFuture<>());
        });
        QueueId id = fixture.enqueue(queue, "<s@a.test>", "bob@b.test", "carol@c.test");
        loop.runUntil(() -> asked.size() == 2);

        loop.advance(Duration.ofMinutes(11));
        open.get("b.test").complete(List.of(QueueFixture.ok(0, "mx.b.test")));
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DELIVERED);
        loop.runDue();
        assertThat(fixture.reports).as("nobody is deferred yet").isEmpty();

        open.get("c.test").complete(List.of(QueueFixture.busy(1, "mx.c.test")));
        loop.runUntil(() -> QueueFixture.state(spool, id, 1).notified().contains(Notice.DELAY));

        assertThat(fixture.reports).singleElement().satisfies(report -> {
            assertThat(report.kind()).isEqualTo(Bouncer.Kind.DELAY);
            assertThat(report.recipients()).extracting(Bouncer.Recipient::index).containsExactly(1);
        });
    }

    @Test
    void warnsNobodyAboutMailFromTheNullSender() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue =
                fixture.scheduler(spool, WARNING, (domain, r) -> QueueFixture.all(r, QueueFixture::busy));
        QueueId id = fixture.enqueue(queue, "<>", "bob@b.test");

        loop.advance(Duration.ofHours(1));
        // Deferrals are on disk once the spool writer says so, on its own thread.
        loop.runUntil(() -> QueueFixture.state(spool, id, 0).kind() == RecipientState.Kind.DEFERRED
                && QueueFixture.state(spool, id, 0).attempts() > 1);
        // More attempts ending past the warning time, each of which would have asked for the warning.
        loop.advance(Duration.ofHours(1));

        assertThat(fixture.reports).isEmpty();
    }
}
