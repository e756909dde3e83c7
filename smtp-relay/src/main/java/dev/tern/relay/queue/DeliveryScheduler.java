package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue between the spool and the transports. It is the {@link MailQueue} the server sees: a
 * message is spooled first (durably), then scheduled. Every piece of scheduling state is confined to
 * one thread ({@code tern-queue}); content is read from the spool on a small pool, and attempts run on
 * whatever the {@link Deliverer} uses, their outcomes hopping back to the queue's thread.
 */
public final class DeliveryScheduler implements MailQueue, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);
    /** How often the depth seen by metrics is recomputed. */
    private static final long DEPTH_REFRESH_MILLIS = 1000;

    private final Spool spool;
    private final Deliverer deliverer;
    private final Bouncer bouncer;
    private final RetryPolicy retry;
    private final int maxActive;
    private final int maxActivePerDomain;
    private final Clock clock;
    private final ScheduledExecutorService actor;
    private final ExecutorService reader;
    private final Notifier notifier;
    private final SplittableRandom random = new SplittableRandom();

    private final Map<QueueId, QueuedMessage> messages = new HashMap<>();
    private final Map<String, Integer> activePerDomain = new HashMap<>();
    /**
     * Messages with due recipients that wait for a delivery slot, per destination domain, in arrival
     * order. A slot that frees wakes them; no timer polls them.
     */
    private final Map<String, ArrayDeque<QueuedMessage>> blocked = new LinkedHashMap<>();

    private int active;
    private volatile boolean closed;
    private volatile Depth depth = new Depth(0, 0, 0, 0);
    /** {@code messages.size()}, published for other threads. */
    private volatile int size;
    /** Until started, messages are only spooled (delivery switched off, or not yet replayed). */
    private volatile boolean started;

    public DeliveryScheduler(
            Spool spool,
            Deliverer deliverer,
            Bouncer bouncer,
            RetryPolicy retry,
            int maxActive,
            int maxActivePerDomain,
            Clock clock) {
        this.spool = spool;
        this.deliverer = deliverer;
        this.bouncer = bouncer;
        this.retry = retry;
        this.maxActive = maxActive;
        this.maxActivePerDomain = maxActivePerDomain;
        this.clock = clock;
        this.actor = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tern-queue"));
        this.reader = Executors.newFixedThreadPool(2, r -> daemon(r, "tern-queue-read"));
        this.notifier = new Notifier(spool, reader, this::enqueue);
        actor.scheduleWithFixedDelay(this::refreshDepth, 0, DEPTH_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * How many messages the queue holds, by state, and when the oldest arrived (epoch millis, 0 when
     * empty). {@code active}: an attempt is under way; {@code held}: due, but waiting for a delivery
     * slot (concurrency limits); {@code deferred}: waiting for the next retry.
     */
    public record Depth(int active, int deferred, int held, long oldestArrivalMillis) {}

    /** The depth as of the last refresh (at most a second old); safe to call from any thread. */
    public Depth depth() {
        return depth;
    }

    /** On the queue's thread: one pass over the messages, published as one immutable value. */
    private void refreshDepth() {
        int inFlight = 0;
        int held = 0;
        long oldest = Long.MAX_VALUE;
        for (QueuedMessage m : messages.values()) {
            if (m.anyInFlight()) {
                inFlight++;
            } else if (!m.blockedDomains.isEmpty()) {
                held++;
            }
            oldest = Math.min(oldest, m.spooled.arrivalMillis());
        }
        depth = new Depth(inFlight, messages.size() - inFlight - held, held, oldest == Long.MAX_VALUE ? 0 : oldest);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Schedules every message the spool still holds (after a restart). */
    public void start() {
        started = true;
        actor.execute(() -> {
            var pending = spool.pending();
            log.info("queue: {} messages to deliver", pending.size());
            pending.forEach(m -> admit(new QueuedMessage(m)));
        });
    }

    @Override
    public CompletionStage<QueueId> enqueue(Envelope envelope, ByteBuf content) {
        return spool.enqueue(envelope, content).thenApply(id -> {
            if (started) {
                submit(() -> spool.find(id).ifPresent(m -> admit(new QueuedMessage(m))));
            }
            return id;
        });
    }

    /** Messages being delivered or waiting for their next attempt; safe to call from any thread. */
    public int size() {
        return size;
    }

    private void submit(Runnable task) {
        if (!closed) {
            actor.execute(task);
        }
    }

    private void admit(QueuedMessage m) {
        if (messages.putIfAbsent(m.spooled.id(), m) != null) {
            return;
        }
        size = messages.size();
        if (m.allFinal()) {
            // Finished before a restart, but its bounce or DONE record was not written yet.
            complete(m);
        } else {
            dispatch(m);
        }
    }

    /** Starts an attempt for every destination with due recipients, as far as the limits allow. */
    private void dispatch(QueuedMessage m) {
        if (closed || m.completing) {
            return;
        }
        long now = clock.millis();
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < m.recipients(); i++) {
            if (m.due(i, now)) {
                groups.computeIfAbsent(domainOf(m, i), d -> new ArrayList<>()).add(i);
            }
        }
        for (var group : groups.entrySet()) {
            String domain = group.getKey();
            if (active < maxActive && activePerDomain.getOrDefault(domain, 0) < maxActivePerDomain) {
                m.blockedDomains.remove(domain);
                attempt(m, domain, group.getValue());
            } else if (m.blockedDomains.add(domain)) {
                blocked.computeIfAbsent(domain, d -> new ArrayDeque<>()).add(m);
            }
        }
        arm(m, m.nextDueAfter(now));
    }

    private static String domainOf(QueuedMessage m, int i) {
        RcptTo rcpt = m.spooled.envelope().recipients().get(i);
        return rcpt.mailbox().domainKey();
    }

    /** Sets the message's timer to {@code at} (epoch millis) unless an earlier one is set. */
    private void arm(QueuedMessage m, long at) {
        if (at == Long.MAX_VALUE || (m.timer != null && !m.timer.isDone() && m.timerDue <= at)) {
            return;
        }
        if (m.timer != null) {
            m.timer.cancel(false);
        }
        m.timerDue = at;
        long delay = Math.max(0, at - clock.millis());
        m.timer = actor.schedule(() -> dispatch(m), delay, TimeUnit.MILLISECONDS);
    }

    private void attempt(QueuedMessage m, String domain, List<Integer> indexes) {
        indexes.forEach(i -> m.inFlight[i] = true);
        active++;
        activePerDomain.merge(domain, 1, Integer::sum);
        reader.execute(() -> {
            ByteBuf content;
            try {
                content = spool.readContent(m.spooled);
            } catch (IOException | RuntimeException e) {
                submit(() -> finish(m, domain, indexes, List.of(), e));
                return;
            }
            DeliveryRequest request = new DeliveryRequest(m.spooled.id(), m.spooled.envelope(), indexes, content);
            CompletionStage<List<RecipientOutcome>> stage;
            try {
                stage = deliverer.deliver(domain, request);
            } catch (RuntimeException e) {
                stage = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((outcomes, failure) -> {
                content.release();
                submit(() -> finish(m, domain, indexes, outcomes == null ? List.of() : outcomes, failure));
            });
        });
    }

    private void finish(
            QueuedMessage m, String domain, List<Integer> indexes, List<RecipientOutcome> outcomes, Throwable failure) {
        active--;
        activePerDomain.computeIfPresent(domain, (d, n) -> n == 1 ? null : n - 1);
        Map<Integer, RecipientOutcome> byIndex = new HashMap<>();
        outcomes.forEach(o -> byIndex.put(o.recipientIndex(), o));
        long now = clock.millis();
        long age = now - m.spooled.arrivalMillis();
        int delivered = 0;
        int deferred = 0;
        int failed = 0;
        String lastDiagnostic = "";
        for (int i : indexes) {
            m.inFlight[i] = false;
            RecipientOutcome o = byIndex.get(i);
            if (o == null) {
                String why = failure == null ? "no outcome from the transport" : failure.toString();
                o = RecipientOutcome.temporary(i, "4.3.0", "local error: " + why, null);
            }
            LastAttempt last =
                    new LastAttempt(now, o.enhancedStatus(), o.reply(), o.remoteMta(), o.diagnostic(), o.nextHopDsn());
            int attempts = m.states[i].attempts() + 1;
            RecipientState state = (switch (o.status()) {
                        case DELIVERED -> RecipientState.delivered(attempts, last);
                        case PERMANENT -> RecipientState.failed(attempts, last);
                        case TEMPORARY ->
                            retry.expired(age)
                                    ? RecipientState.failed(
                                            attempts,
                                            // RFC 3463 3.5: X.4.7, delivery time expired; the reply stays the last one.
                                            last.restated(
                                                    EnhancedStatus.parse("4.4.7"),
                                                    "delivery time expired after "
                                                            + Duration.ofMillis(age)
                                                                    .toHours() + "h; last error: "
                                                            + o.diagnostic()))
                                    : RecipientState.deferred(now + retry.nextDelayMillis(age, random), attempts, last);
                    })
                    .notifiedAs(m.states[i]);
            switch (state.kind()) {
                case DELIVERED -> delivered++;
                case FAILED -> failed++;
                default -> deferred++;
            }
            m.states[i] = state;
            lastDiagnostic = o.diagnostic();
            spool.recordState(m.spooled.id(), i, state).whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("id={} could not record recipient state: {}", m.spooled.id(), e.toString());
                }
            });
        }
        log.info(
                "id={} domain={} rcpts={} delivered={} deferred={} failed={}{}",
                m.spooled.id(),
                domain,
                indexes.size(),
                delivered,
                deferred,
                failed,
                delivered == indexes.size() ? "" : " last=\"" + lastDiagnostic + "\"");
        if (m.allFinal()) {
            if (!m.anyInFlight()) {
                complete(m);
            }
        } else {
            maybeWarn(m, age);
            dispatch(m);
        }
        drainBlocked();
    }

    /** Slots freed: start what waits for them, domain by domain in the order they were first blocked. */
    private void drainBlocked() {
        for (String domain : List.copyOf(blocked.keySet())) {
            if (active >= maxActive) {
                return;
            }
            ArrayDeque<QueuedMessage> waiting = blocked.get(domain);
            while (!waiting.isEmpty()
                    && active < maxActive
                    && activePerDomain.getOrDefault(domain, 0) < maxActivePerDomain) {
                QueuedMessage m = waiting.poll();
                m.blockedDomains.remove(domain);
                if (messages.get(m.spooled.id()) == m) {
                    dispatch(m);
                }
            }
            if (waiting.isEmpty()) {
                blocked.remove(domain);
            }
        }
    }

    /** Every recipient is finished: bounce what failed, then mark the message done in the spool. */
    private void complete(QueuedMessage m) {
        m.completing = true;
        if (m.timer != null) {
            m.timer.cancel(false);
        }
        List<Bouncer.Recipient> failed = m.reported(RecipientState.Kind.FAILED);
        if (failed.isEmpty() || m.spooled.envelope().reversePath().isNull()) {
            markDone(m);
            return;
        }
        notifier.send(
                        m.spooled,
                        content -> bouncer.report(
                                new Bouncer.Report(
                                        Bouncer.Kind.FAILURE,
                                        m.spooled.id(),
                                        m.spooled.envelope(),
                                        arrival(m),
                                        failed,
                                        null),
                                content))
                .whenComplete((v, e) -> submit(() -> markDone(m)));
    }

    private void markDone(QueuedMessage m) {
        spool.recordDone(m.spooled.id()).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("id={} could not record completion: {}", m.spooled.id(), e.toString());
            }
        });
        messages.remove(m.spooled.id());
        size = messages.size();
        log.info("id={} done", m.spooled.id());
    }

    private void maybeWarn(QueuedMessage m, long age) {
        if (m.warned
                || !retry.warnDelay(age)
                || m.spooled.envelope().reversePath().isNull()) {
            return;
        }
        m.warned = true;
        List<Bouncer.Recipient> delayed = m.reported(RecipientState.Kind.DEFERRED);
        Instant until = arrival(m).plus(retry.lifetime());
        notifier.send(
                m.spooled,
                content -> bouncer.report(
                        new Bouncer.Report(
                                Bouncer.Kind.DELAY, m.spooled.id(), m.spooled.envelope(), arrival(m), delayed, until),
                        content));
    }

    private static Instant arrival(QueuedMessage m) {
        return Instant.ofEpochMilli(m.spooled.arrivalMillis());
    }

    /** Stops scheduling; waits a little for attempts under way so their outcomes are recorded. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline && actor.submit(() -> active).get(1, TimeUnit.SECONDS) > 0) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } catch (Exception e) {
            log.debug("queue close: {}", e.toString());
        }
        closed = true;
        actor.shutdown();
        reader.shutdown();
        try {
            actor.awaitTermination(5, TimeUnit.SECONDS);
            reader.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
