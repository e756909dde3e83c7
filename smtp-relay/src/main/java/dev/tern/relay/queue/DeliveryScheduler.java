package dev.tern.relay.queue;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.QueueId;
import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue between the spool and the transports, and the {@link MailQueue} the server sees: a message
 * is spooled first (durably), then scheduled. This class only connects the parts that do the work:
 * {@link Admission} (which messages, which recipients are due, by destination), {@link DestinationSlots}
 * (how many attempts at once), {@link Attempts} (an attempt off the queue's thread), {@link RetryPolicy}
 * (what follows an outcome, and when) and {@link Completion} (state records and reports).
 *
 * <p>Its state lives on the {@link QueueExecutor} it is given; content is read from the spool on the
 * {@code reader} executor; time is the given {@link Clock}, the spool's. It starts no thread: the
 * wiring owns the executors and shuts them down after {@link #close()}.
 */
public final class DeliveryScheduler implements MailQueue, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);
    /** How often the depth seen by metrics is recomputed. */
    private static final long DEPTH_REFRESH_MILLIS = 1000;
    /** How long {@link #close()} lets attempts under way record their outcomes. */
    private static final long CLOSE_GRACE_SECONDS = 10;

    private final Spool spool;
    private final QueueExecutor queue;
    private final Clock clock;
    private final Admission admission = new Admission();
    private final DestinationSlots<QueuedMessage> slots;
    private final Completion completion;
    private final Attempts attempts;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    /** Attempts, reports and completions under way; closing waits for them. Queue thread only. */
    private int busy;

    private boolean closing;
    private QueueExecutor.Timer depthTimer;
    /** Until started, messages are only spooled (delivery switched off, or not yet replayed). */
    private volatile boolean started;

    private volatile boolean closed;

    public DeliveryScheduler(
            Spool spool,
            Deliverer deliverer,
            Bouncer bouncer,
            RetryPolicy retry,
            DeliveryLimits limits,
            QueueExecutor queue,
            Executor reader,
            Signer signer,
            Clock clock) {
        this.spool = spool;
        this.queue = queue;
        this.clock = clock;
        this.attempts = new Attempts(spool, deliverer, reader, this::submit, this::attempted);
        this.slots = new DestinationSlots<>(limits);
        Reports reports = new Reports(spool, new Notifier(spool, reader, this, signer), bouncer, retry, this::submit);
        this.completion = new Completion(spool, retry, new SplittableRandom(), reports);
    }

    /** Schedules every message the spool still holds (after a restart), and starts delivering new ones. */
    public void start() {
        started = true;
        submit(() -> {
            List<SpooledMessage> pending = spool.pending();
            log.info("queue: {} messages to deliver", pending.size());
            pending.forEach(this::admit);
            refreshDepth();
        });
    }

    @Override
    public CompletionStage<QueueId> enqueue(Envelope envelope, ByteBuf content) {
        return spool.enqueue(envelope, content).thenApply(id -> {
            if (started) {
                submit(() -> spool.find(id).ifPresent(this::admit));
            }
            return id;
        });
    }

    /** Messages being delivered or waiting for their next attempt; safe to call from any thread. */
    public int size() {
        return admission.size();
    }

    /** The depth as of the last refresh (at most a second old); safe to call from any thread. */
    public QueueDepth depth() {
        return admission.depth();
    }

    private void refreshDepth() {
        admission.refreshDepth(slots::waits);
        if (!closing) {
            depthTimer = queue.schedule(this::refreshDepth, DEPTH_REFRESH_MILLIS);
        }
    }

    private void admit(SpooledMessage spooled) {
        QueuedMessage m = admission.admit(spooled);
        if (m == null) {
            return;
        }
        if (m.allFinal()) {
            // Finished before a restart, but its report or DONE record was not written yet.
            complete(m);
        } else {
            track(completion.admitted(m));
            dispatch(m);
        }
    }

    /** Starts an attempt for every destination with due recipients, as far as the slots allow. */
    private void dispatch(QueuedMessage m) {
        if (closing || m.completing || !admission.holds(m)) {
            return;
        }
        long now = clock.millis();
        for (Map.Entry<String, List<Integer>> group :
                Admission.dueByDestination(m, now).entrySet()) {
            if (slots.tryTake(group.getKey())) {
                attempt(m, group.getKey(), group.getValue());
            } else {
                slots.await(group.getKey(), m);
            }
        }
        wakeAt(m, m.nextDueAfter(now));
    }

    /** Sets the message's timer to {@code at} (epoch millis) unless an earlier one is set. */
    private void wakeAt(QueuedMessage m, long at) {
        if (at == Long.MAX_VALUE || (m.timer != null && m.timerDue <= at)) {
            return;
        }
        if (m.timer != null) {
            m.timer.cancel();
        }
        m.timerDue = at;
        m.timer = queue.schedule(
                () -> {
                    m.timer = null;
                    m.timerDue = Long.MAX_VALUE;
                    dispatch(m);
                },
                Math.max(0, at - clock.millis()));
    }

    private void attempt(QueuedMessage m, String destination, List<Integer> indexes) {
        indexes.forEach(i -> m.inFlight[i] = true);
        busy++;
        attempts.start(m, destination, indexes);
    }

    private void attempted(
            QueuedMessage m,
            String destination,
            List<Integer> indexes,
            List<RecipientOutcome> outcomes,
            Throwable failure) {
        slots.release(destination);
        long now = clock.millis();
        completion.record(m, destination, indexes, outcomes, failure, now);
        if (m.allFinal()) {
            if (!m.anyInFlight()) {
                complete(m);
            }
        } else {
            track(completion.afterAttempt(m, now));
            dispatch(m);
        }
        slots.wake(this::dispatch);
        idle();
    }

    /** Every recipient is final: the last reports, then the message is marked done in the spool. */
    private void complete(QueuedMessage m) {
        m.completing = true;
        if (m.timer != null) {
            m.timer.cancel();
        }
        busy++;
        completion
                .finalReports(m)
                .whenComplete((v, e) -> submit(() -> {
                    completion.recordDone(m);
                    admission.remove(m);
                    idle();
                }));
    }

    /** Counts {@code work} as under way until it completes (a report being written and queued). */
    private void track(CompletionStage<Void> work) {
        if (work.toCompletableFuture().isDone()) {
            return;
        }
        busy++;
        work.whenComplete((v, e) -> submit(this::idle));
    }

    /** One piece of work ended; once closing and nothing is left, {@link #close()} may return. */
    private void idle() {
        busy--;
        if (closing && busy == 0) {
            drained.complete(null);
        }
    }

    /** Runs {@code task} on the queue's thread; after {@link #close()} nothing runs any more. */
    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            queue.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("queue: task refused, the queue's executor is shut down");
        }
    }

    /**
     * Stops starting attempts. The stage completes once the attempts, reports and completions under way
     * have recorded their outcomes, so that the spool, closed next, is consistent.
     */
    public CompletionStage<Void> shutdown() {
        submit(() -> {
            closing = true;
            if (depthTimer != null) {
                depthTimer.cancel();
            }
            if (busy == 0) {
                drained.complete(null);
            }
        });
        return drained;
    }

    /** {@link #shutdown()}, waiting at most 10 seconds for the work under way; blocks. */
    @Override
    public void close() {
        try {
            shutdown().toCompletableFuture().get(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("queue: attempts still under way after {}s; their outcomes are not recorded", CLOSE_GRACE_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("queue close: {}", e.toString());
        } finally {
            closed = true;
        }
    }
}
