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
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue between the spool and the transports, and the {@link MailQueue} the server sees: a message
 * is spooled first (durably), then scheduled. This class only connects the parts that do the work:
 * {@link Admission} (which messages, which recipients are due, by destination), {@link DestinationSlots}
 * (how many attempts at once), {@link Attempts} (an attempt off the queue's thread), {@link RetryPolicy}
 * (what follows an outcome, and when) and {@link Completion} (state records and reports). {@link Shaping}
 * holds each destination to its adaptive concurrency, its rate and its suspensions; {@link Parking} defers
 * the mail of a suspended destination without an attempt; {@link #destinations()} is the operator's view.
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
    /** {@link #queue} for tasks that follow spool stages: a group commit's tasks reach it as one. */
    private final Executor handOff;

    private final Clock clock;
    private final Admission admission = new Admission();
    private final DestinationSlots<QueuedMessage> slots;
    private final Completion completion;
    private final Attempts attempts;
    private final Shaping shaping;
    private final Parking parking;
    private final Destinations destinations;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final QueueAdmin admin;
    private final Executor reader;

    /** Messages spooled and not yet admitted, in the order the spool wrote them; any thread adds. */
    private final ConcurrentLinkedQueue<QueueId> arrivals = new ConcurrentLinkedQueue<>();
    /** An {@link #admitArrivals} task is submitted and has not started reading {@link #arrivals} yet. */
    private final AtomicBoolean admitting = new AtomicBoolean();

    /** Attempts, reports and completions under way; closing waits for them. Queue thread only. */
    private int busy;

    private boolean closing;
    private QueueExecutor.Timer depthTimer;
    /** Until started, messages are only spooled (not yet replayed). */
    private volatile boolean started;
    /** Attempts are made (false: delivery switched off, the queue is only shown to the operator). */
    private volatile boolean delivering;

    private volatile boolean closed;
    /** The hand-over of the whole queue under way, or null: while set, no attempt of our own starts. */
    private volatile QueueDrain drain;

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
        this(spool, deliverer, bouncer, retry, limits, queue, reader, signer, clock, ShapingOptions.DEFAULT);
    }

    public DeliveryScheduler(
            Spool spool,
            Deliverer deliverer,
            Bouncer bouncer,
            RetryPolicy retry,
            DeliveryLimits limits,
            QueueExecutor queue,
            Executor reader,
            Signer signer,
            Clock clock,
            ShapingOptions shaping) {
        this.spool = spool;
        this.reader = reader;
        this.queue = queue;
        this.handOff = spool.handOff(queue);
        this.clock = clock;
        this.attempts = new Attempts(spool, deliverer, reader, this::submit, this::attempted);
        this.shaping = new Shaping(
                shaping.policy(),
                limits.maxActivePerDestination(),
                queue,
                clock,
                shaping.metrics(),
                new SuspensionStore(shaping.suspensionsFile(), shaping.io()));
        this.slots = new DestinationSlots<>(limits, this.shaping);
        Reports reports = new Reports(spool, new Notifier(spool, reader, this, signer), bouncer, retry, this::submit);
        this.completion = new Completion(spool, retry, new SplittableRandom(), reports);
        this.parking = new Parking(spool, retry, completion);
        this.destinations = new Destinations(queue, this.shaping, admission::queuedByDestination);
        this.shaping.listen(new ShapingListener());
        // Before anything is admitted, and whether delivery is started or not: an operator's suspensions hold.
        submit(this.shaping::restore);
        this.admin = new SchedulerAdmin(this, spool, reader, clock);
    }

    /** Schedules every message the spool still holds (after a restart), and starts delivering new ones. */
    public void start() {
        start(true);
    }

    /**
     * Takes in every message the spool still holds (after a restart) and every new one; with {@code
     * deliver} false nothing is attempted (delivery switched off for maintenance), but the operator still
     * sees the queue and may hold, release, delete or return messages.
     */
    public void start(boolean deliver) {
        started = true;
        delivering = deliver;
        submit(() -> {
            List<SpooledMessage> pending = spool.pending();
            log.info("queue: {} messages read from the spool", pending.size());
            pending.forEach(this::admit);
            refreshDepth();
        });
    }

    /**
     * Begins attempting what {@link #start(boolean) start(false)} took in, and everything after it: a server
     * calls it once it is sure to run (every listener bound), so that a start that fails delivers nothing.
     */
    public void deliver() {
        submit(() -> {
            if (closing || delivering) {
                return;
            }
            delivering = true;
            log.info("queue: delivering, {} messages queued", admission.size());
            List.copyOf(admission.all()).forEach(this::dispatch);
        });
    }

    /**
     * Starts no attempt from now on; those under way run on. A server shutting down calls it first, so that a
     * message taken while its sessions finish waits in the spool for the next start instead of an attempt
     * that the stopping process would cut short and count as failed.
     */
    public void stopAttempts() {
        delivering = false;
    }

    @Override
    public CompletionStage<QueueId> enqueue(Envelope envelope, ByteBuf content) {
        return admitted(spool.enqueue(envelope, content));
    }

    @Override
    public CompletionStage<QueueId> handOver(Envelope envelope, ByteBuf content) {
        return admitted(spool.handOver(envelope, content));
    }

    /** Once on disk, the message joins the queue (when the queue has started). */
    private CompletionStage<QueueId> admitted(CompletionStage<QueueId> stored) {
        return stored.thenApply(id -> {
            if (started) {
                arrived(id);
            }
            return id;
        });
    }

    @Override
    public void transactionStarted() {
        spool.transactionStarted();
    }

    @Override
    public void transactionEnded() {
        spool.transactionEnded();
    }

    /**
     * Hands a spooled message to the queue's thread. The ids gather here and one task admits all that have
     * arrived: while that task waits for the queue's thread, later arrivals (of later group commits too) join
     * it. Within one group commit the spool's hand-off ({@link #submit}) keeps the task until the whole batch
     * is complete, so the queue's thread is not woken for the first message and again for the rest.
     */
    private void arrived(QueueId id) {
        arrivals.add(id);
        if (admitting.compareAndSet(false, true)) {
            submit(this::admitArrivals);
        }
    }

    private void admitArrivals() {
        // Cleared before the queue is read: an id added after the last poll below finds it clear and submits again.
        admitting.set(false);
        for (QueueId id; (id = arrivals.poll()) != null; ) {
            spool.find(id).ifPresent(this::admit);
        }
    }

    /** The operator's view of destinations: their shaping, suspend and resume. */
    public DestinationAdmin destinations() {
        return destinations;
    }

    /** Destinations suspended now; safe to call from any thread. */
    public int suspendedDestinations() {
        return shaping.suspendedCount();
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
        admission.refreshDepth(slots.waiting());
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
        if (closing || drain != null || !delivering || m.completing || m.held || !admission.holds(m)) {
            // A held message keeps its place and its timer-free wait until it is released.
            return;
        }
        long now = clock.millis();
        boolean parked = false;
        for (Map.Entry<String, List<Integer>> group :
                Admission.dueByDestination(m, now).entrySet()) {
            Suspension suspension = shaping.suspension(group.getKey());
            if (suspension != null) {
                parking.defer(m, group.getKey(), group.getValue(), suspension, now);
                shaping.deferred();
                parked = true;
            } else if (slots.tryTake(group.getKey())) {
                attempt(m, group.getKey(), group.getValue());
            } else {
                slots.await(group.getKey(), m);
            }
        }
        if (parked) {
            if (m.allFinal() && !m.anyInFlight()) {
                complete(m); // its lifetime ran out while the destination was suspended
                return;
            }
            track(completion.afterAttempt(m, now));
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
        admission.attempting(m);
        indexes.forEach(i -> m.inFlight(i, true));
        shaping.started(destination);
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
        shaping.ended(destination, failure == null ? outcomes : List.of());
        if (!admission.holds(m)) {
            // Deleted by the operator while the attempt was under way: nothing more is recorded.
            log.info("id={} domain={} attempt ended after the message was deleted", m.id, destination);
            indexes.forEach(i -> m.inFlight(i, false));
            slots.wake(this::dispatch);
            idle();
            return;
        }
        long now = clock.millis();
        completion.record(m, destination, indexes, outcomes, failure, now);
        if (m.returned) {
            completion.returnToSender(m, now);
        }
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
    private CompletionStage<Void> complete(QueuedMessage m) {
        m.completing = true;
        if (m.timer != null) {
            m.timer.cancel();
        }
        busy++;
        CompletableFuture<Void> removed = new CompletableFuture<>();
        completion
                .finalReports(m)
                .whenComplete((v, e) -> submit(() -> {
                    completion.recordDone(m);
                    admission.remove(m);
                    idle();
                    removed.complete(null);
                }));
        return removed;
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
            handOff.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("queue: task refused, the queue's executor is shut down");
        }
    }

    /** What the queue does when {@link Shaping} changes a destination. */
    private final class ShapingListener implements Shaping.Listener {
        @Override
        public void opened(String destination) {
            slots.wake(DeliveryScheduler.this::dispatch);
        }

        @Override
        public void suspended(String destination) {
            slots.drain(destination, DeliveryScheduler.this::dispatch);
        }

        @Override
        public void resumed(String destination, boolean byHand) {
            if (!byHand) {
                return; // what the suspension deferred is due at its end, and its timers wake it
            }
            long now = clock.millis();
            for (QueuedMessage m : admission.deferredFor(destination, now)) {
                parking.resume(m, destination, now);
                dispatch(m);
            }
        }
    }

    // The operator's work (QueueAdmin), called on the queue's thread.

    /** What the operator may see and do in this queue. */
    public QueueAdmin admin() {
        return admin;
    }

    /** The queue's copy of the message, or null. Queue thread only. */
    QueuedMessage message(QueueId id) {
        return admission.get(id);
    }

    /** Every message the queue holds, in no order. Queue thread only. */
    Collection<QueuedMessage> messages() {
        return admission.all();
    }

    /**
     * Holds or releases {@code m}; released, its waiting recipients are due at once. Completes once the
     * spool has the record. Queue thread only.
     */
    CompletionStage<Void> hold(QueuedMessage m, boolean held) {
        m.held = held;
        CompletionStage<Void> recorded = spool.recordHold(m.id, held);
        if (!held) {
            // Released, it is tried now, as Postfix's released mail is at its next queue run.
            m.makeDue(i -> true, clock.millis());
            dispatch(m);
        }
        return recorded;
    }

    /**
     * Removes {@code m} with no report; completes once the spool's DONE record is on disk, so a restart
     * does not bring it back. An attempt under way ends unrecorded. Queue thread only.
     */
    CompletionStage<Void> delete(QueuedMessage m) {
        if (m.timer != null) {
            m.timer.cancel();
        }
        admission.remove(m);
        return spool.recordDone(m.id);
    }

    /**
     * Fails every unfinished recipient of {@code m} now ("returned by the operator"), those in an attempt
     * once it ends, and so sends the sender its failure report; completes once the new states are on
     * disk. Queue thread only.
     */
    CompletionStage<Void> returnToSender(QueuedMessage m) {
        m.returned = true;
        CompletionStage<Void> recorded = completion.returnToSender(m, clock.millis());
        if (m.allFinal() && !m.anyInFlight()) {
            complete(m);
        }
        return recorded;
    }

    /**
     * Makes the waiting recipients of {@code m} that {@code which} picks due now and starts their
     * attempts (unless {@code m} is held); returns how many were made due. Queue thread only.
     */
    int makeDue(QueuedMessage m, IntPredicate which) {
        int due = m.makeDue(which, clock.millis());
        if (due > 0) {
            dispatch(m);
        }
        return due;
    }

    /**
     * Starts handing every message over to {@code target} ({@link QueueDrain}); from now on no attempt of
     * our own starts, until a restart. Returns null when a drain was started before. Queue thread only.
     */
    QueueDrain drain(String name, Deliverer target) {
        if (drain != null) {
            return null;
        }
        QueueDrain started =
                new QueueDrain(this, name, ended -> new Attempts(spool, target, reader, this::submit, ended), queue);
        drain = started;
        started.start();
        return started;
    }

    /** The drain started on this queue, or null; any thread. */
    QueueDrain drain() {
        return drain;
    }

    /** A drain's attempt is starting for {@code m}: counted as in flight by the depth. Queue thread only. */
    void attempting(QueuedMessage m) {
        admission.attempting(m);
    }

    /** A hand-over started: {@link #close()} waits for {@link #handedOver}. Queue thread only. */
    void busy(int n) {
        busy += n;
    }

    /**
     * The peer of a drain accepted {@code accepted}: they are delivered, and a message with every recipient
     * final is done (its reports, then DONE). Ends what {@link #busy} started; the stage completes once
     * such a message has left the queue (on the queue's thread). Queue thread only.
     */
    CompletionStage<Void> handedOver(
            QueuedMessage m, String target, List<Integer> accepted, List<RecipientOutcome> outcomes) {
        CompletionStage<Void> gone = CompletableFuture.completedFuture(null);
        if (admission.holds(m) && !accepted.isEmpty()) {
            long now = clock.millis();
            completion.record(m, target, accepted, outcomes, null, now);
            if (m.allFinal() && !m.anyInFlight()) {
                gone = complete(m);
            } else {
                track(completion.afterAttempt(m, now));
            }
        } else {
            accepted.forEach(i -> m.inFlight(i, false));
        }
        idle();
        return gone;
    }

    /**
     * The peer of a drain did not take these recipients of {@code m} after its last try ({@link
     * Completion#leftByDrain}): each keeps its place, with the peer's answer in its last attempt. Queue thread only.
     */
    void leftByDrain(QueuedMessage m, Map<Integer, RecipientOutcome> outcomes) {
        if (!admission.holds(m)) {
            return;
        }
        long now = clock.millis();
        outcomes.forEach((i, o) -> track(completion.leftByDrain(m, i, o, now)));
    }

    /** Runs {@code work} on the queue's thread; its stage fails when the queue no longer runs. */
    <T> CompletionStage<T> call(Supplier<CompletionStage<T>> work) {
        if (closed || !started) {
            return CompletableFuture.failedFuture(new IllegalStateException("the queue is not running"));
        }
        return queue.call(work);
    }

    /**
     * Stops starting attempts. The stage completes once the attempts, reports and completions under way
     * have recorded their outcomes, so that the spool, closed next, is consistent.
     */
    public CompletionStage<Void> shutdown() {
        submit(() -> {
            closing = true;
            shaping.close();
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
        close(Duration.ofSeconds(CLOSE_GRACE_SECONDS));
    }

    /** {@link #shutdown()}, waiting at most {@code wait} for the work under way; blocks. */
    public void close(Duration wait) {
        try {
            shutdown().toCompletableFuture().get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "queue: attempts still under way after {} ms; their outcomes are not recorded, and their messages"
                            + " are tried again at the next start",
                    wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("queue close: {}", e.toString());
        } finally {
            closed = true;
        }
    }
}
