package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpoolOptions;
import dev.tern.relay.spool.SpooledMessage;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliverySchedulerTest {
    private static final RetryPolicy FAST =
            new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMinutes(10), Duration.ZERO);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<DeliveryRequest> requests = new CopyOnWriteArrayList<>();
    private final List<List<Bouncer.Recipient>> bounced = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void deliversANewMessageAndMarksItDone() throws Exception {
        Spool spool = spool();
        DeliveryScheduler queue = scheduler(spool, FAST, (domain, r) -> all(r, RecipientOutcome::delivered));
        QueueId id = enqueue(queue, "<sender@a.test>", "rcpt@b.test");
        await().until(() -> spool.pending().isEmpty());
        assertThat(requests).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo(id));
        assertThat(bounced).isEmpty();
    }

    @Test
    void groupsRecipientsByDomain() throws Exception {
        Spool spool = spool();
        DeliveryScheduler queue = scheduler(spool, FAST, (domain, r) -> all(r, RecipientOutcome::delivered));
        enqueue(queue, "<s@a.test>", "one@b.test", "x@c.test", "two@B.test");
        await().until(() -> spool.pending().isEmpty());
        assertThat(requests)
                .extracting(DeliveryRequest::recipientIndexes)
                .containsExactlyInAnyOrder(List.of(0, 2), List.of(1));
    }

    @Test
    void retriesADeferredRecipientUntilItIsDelivered() throws Exception {
        Spool spool = spool();
        AtomicInteger calls = new AtomicInteger();
        DeliveryScheduler queue = scheduler(
                spool,
                FAST,
                (domain, r) -> calls.incrementAndGet() < 3
                        ? all(r, (i, d, h) -> RecipientOutcome.temporary(i, "4.4.1", "try later", h))
                        : all(r, RecipientOutcome::delivered));
        enqueue(queue, "<s@a.test>", "r@b.test");
        await().until(() -> spool.pending().isEmpty());
        assertThat(calls).hasValue(3);
        assertThat(bounced).isEmpty();
    }

    @Test
    void bouncesAPermanentFailureToTheSender() throws Exception {
        Spool spool = spool();
        DeliveryScheduler queue = scheduler(
                spool,
                FAST,
                (domain, r) ->
                        all(r, (i, d, h) -> RecipientOutcome.permanent(i, "5.1.1", "550 5.1.1 no such user", h)));
        QueueId id = enqueue(queue, "<s@a.test>", "r@b.test", "q@c.test");
        await().until(() -> bounced.size() == 1);
        assertThat(bounced.get(0)).extracting(Bouncer.Recipient::index).containsExactlyInAnyOrder(0, 1);
        // The DSN itself is a new message from <> to the sender; the original is done.
        await().until(() -> spool.find(id).isEmpty());
        await().until(() ->
                requests.stream().anyMatch(r -> r.envelope().reversePath().isNull()));
    }

    @Test
    void givesUpAfterTheQueueLifetimeAndBounces() throws Exception {
        Spool spool = spool();
        RetryPolicy shortLife =
                new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(300), Duration.ZERO);
        DeliveryScheduler queue = scheduler(
                spool,
                shortLife,
                (domain, r) -> r.envelope().reversePath().isNull()
                        ? all(r, RecipientOutcome::delivered)
                        : all(r, (i, d, h) -> RecipientOutcome.temporary(i, "4.4.1", "connection refused", h)));
        enqueue(queue, "<s@a.test>", "r@b.test");
        await().until(() -> bounced.size() == 1);
        Bouncer.Recipient failed = bounced.get(0).get(0);
        assertThat(failed.last().status()).hasToString("4.4.7");
        assertThat(failed.last().diagnostic()).contains("connection refused");
        await().until(() -> spool.pending().isEmpty());
    }

    @Test
    void neverBouncesMailFromTheNullSender() throws Exception {
        Spool spool = spool();
        DeliveryScheduler queue = scheduler(
                spool,
                FAST,
                (domain, r) -> all(r, (i, d, h) -> RecipientOutcome.permanent(i, "5.1.1", "no such user", h)));
        enqueue(queue, "<>", "r@b.test");
        await().until(() -> spool.pending().isEmpty());
        assertThat(bounced).isEmpty();
        assertThat(requests).hasSize(1);
    }

    @Test
    void sendsOneDelayWarning() throws Exception {
        Spool spool = spool();
        RetryPolicy warning = new RetryPolicy(
                Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMinutes(10), Duration.ofMillis(100));
        List<String> delays = new CopyOnWriteArrayList<>();
        DeliveryScheduler queue = scheduler(
                spool,
                warning,
                recordingBouncer(delays),
                (domain, r) -> r.envelope().reversePath().isNull()
                        ? all(r, RecipientOutcome::delivered)
                        : all(r, (i, d, h) -> RecipientOutcome.temporary(i, "4.4.1", "busy", h)));
        enqueue(queue, "<s@a.test>", "r@b.test");
        await().until(() -> delays.size() == 1);
        await().during(Duration.ofMillis(300)).until(() -> delays.size() == 1);
    }

    @Test
    void resumesAfterARestartWithoutRepeatingFinishedRecipients() throws Exception {
        Spool spool = Spool.open(dir, SpoolOptions.defaults());
        Map<String, AtomicInteger> perRecipient = new ConcurrentHashMap<>();
        BiFunction<String, DeliveryRequest, CompletionStage<List<RecipientOutcome>>> firstRun = (domain, r) -> {
            List<RecipientOutcome> out = new ArrayList<>();
            for (int i : r.recipientIndexes()) {
                String to = r.envelope().recipients().get(i).mailbox().address();
                perRecipient.computeIfAbsent(to, k -> new AtomicInteger()).incrementAndGet();
                out.add(
                        to.startsWith("ok")
                                ? RecipientOutcome.delivered(i, "250 ok", "mx")
                                : RecipientOutcome.temporary(i, "4.4.1", "later", "mx"));
            }
            return CompletableFuture.completedFuture(out);
        };
        RetryPolicy slow = new RetryPolicy(Duration.ofHours(1), Duration.ofHours(2), Duration.ofDays(1), Duration.ZERO);
        DeliveryScheduler first =
                new DeliveryScheduler(spool, firstRun::apply, bouncer(), slow, 10, 10, Clock.systemUTC());
        first.start();
        QueueId id = enqueueOn(first, "<s@a.test>", "ok@b.test", "later@c.test");
        await().until(() -> spool.find(id)
                .map(m -> m.states().stream().noneMatch(s -> s.kind() == RecipientState.Kind.PENDING))
                .orElse(false));
        first.close();
        spool.close();

        Spool reopened = spool();
        SpooledMessage m = reopened.find(id).orElseThrow();
        assertThat(m.states())
                .extracting(RecipientState::kind)
                .containsExactly(RecipientState.Kind.DELIVERED, RecipientState.Kind.DEFERRED);
        // A clock two hours on: the deferred recipient is due, the delivered one is never tried again.
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        DeliveryScheduler second = new DeliveryScheduler(
                reopened,
                (domain, r) -> {
                    requests.add(r);
                    return all(r, RecipientOutcome::delivered);
                },
                bouncer(),
                slow,
                10,
                10,
                later);
        open.add(second);
        second.start();
        await().until(() -> reopened.pending().isEmpty());
        assertThat(requests).singleElement().satisfies(r -> assertThat(r.recipientIndexes())
                .containsExactly(1));
        assertThat(perRecipient.get("ok@b.test")).hasValue(1);
    }

    @Test
    void keepsToTheLimitPerDomain() throws Exception {
        Spool spool = spool();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<CompletableFuture<List<RecipientOutcome>>> pending = new CopyOnWriteArrayList<>();
        DeliveryScheduler queue = new DeliveryScheduler(
                spool,
                (domain, r) -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    CompletableFuture<List<RecipientOutcome>> f = new CompletableFuture<>();
                    pending.add(f);
                    // The attempt is over before the queue hears of it, so the count never lags.
                    CompletableFuture.delayedExecutor(30, java.util.concurrent.TimeUnit.MILLISECONDS)
                            .execute(() -> {
                                running.decrementAndGet();
                                f.complete(all(r, RecipientOutcome::delivered)
                                        .toCompletableFuture()
                                        .join());
                            });
                    return f;
                },
                bouncer(),
                FAST,
                10,
                2,
                Clock.systemUTC());
        open.add(queue);
        queue.start();
        for (int i = 0; i < 6; i++) {
            enqueueOn(queue, "<s@a.test>", "r" + i + "@b.test");
        }
        await().until(() -> spool.pending().isEmpty());
        assertThat(pending).hasSize(6);
        assertThat(most.get()).isEqualTo(2);
    }

    // --- helpers ---

    private interface OutcomeMaker {
        RecipientOutcome make(int index, String diagnostic, String host);
    }

    private static CompletionStage<List<RecipientOutcome>> all(DeliveryRequest r, OutcomeMaker maker) {
        return CompletableFuture.completedFuture(r.recipientIndexes().stream()
                .map(i -> maker.make(i, "250 2.0.0 ok", "mx.test"))
                .toList());
    }

    private Spool spool() throws Exception {
        Spool spool = Spool.open(dir, SpoolOptions.defaults());
        open.add(spool);
        return spool;
    }

    private DeliveryScheduler scheduler(Spool spool, RetryPolicy retry, Deliverer deliverer) {
        return scheduler(spool, retry, bouncer(), deliverer);
    }

    private DeliveryScheduler scheduler(Spool spool, RetryPolicy retry, Bouncer bouncer, Deliverer deliverer) {
        DeliveryScheduler queue = new DeliveryScheduler(
                spool,
                (domain, r) -> {
                    requests.add(r);
                    return deliverer.deliver(domain, r);
                },
                bouncer,
                retry,
                10,
                10,
                Clock.systemUTC());
        open.add(queue);
        queue.start();
        return queue;
    }

    private Bouncer bouncer() {
        return recordingBouncer(new CopyOnWriteArrayList<>());
    }

    private Bouncer recordingBouncer(List<String> delays) {
        return (report, original) -> {
            if (report.kind() == Bouncer.Kind.FAILURE) {
                bounced.add(report.recipients());
            } else {
                delays.add(report.id().value());
            }
            return Optional.of(notification(report.envelope(), report.kind().name()));
        };
    }

    private static Bouncer.Notification notification(Envelope original, String what) {
        Envelope envelope = new Envelope(
                ReversePath.NULL,
                List.of(new RcptTo(original.reversePath().mailbox(), RcptParameters.NONE)),
                MailParameters.NONE);
        return new Bouncer.Notification(
                envelope, Unpooled.copiedBuffer("Subject: " + what + "\r\n\r\nx\r\n", StandardCharsets.US_ASCII));
    }

    private static QueueId enqueue(DeliveryScheduler queue, String from, String... to) throws Exception {
        return enqueueOn(queue, from, to);
    }

    private static QueueId enqueueOn(DeliveryScheduler queue, String from, String... to) throws Exception {
        List<RcptTo> rcpts = new ArrayList<>();
        for (String t : to) {
            int at = t.indexOf('@');
            rcpts.add(new RcptTo(new Mailbox(t.substring(0, at), t.substring(at + 1)), RcptParameters.NONE));
        }
        ReversePath path = from.equals("<>")
                ? ReversePath.NULL
                : new ReversePath(new Mailbox(
                        from.substring(1, from.indexOf('@')),
                        from.substring(from.indexOf('@') + 1, from.length() - 1)));
        Envelope envelope = new Envelope(path, rcpts, MailParameters.NONE);
        ByteBuf content = Unpooled.copiedBuffer("Subject: t\r\n\r\nbody\r\n", StandardCharsets.US_ASCII);
        return queue.enqueue(envelope, content).toCompletableFuture().get();
    }
}
