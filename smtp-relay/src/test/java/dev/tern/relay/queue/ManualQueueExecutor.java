package dev.tern.relay.queue;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The queue's thread, run by the test on its own thread, with timers on a {@link MutableClock}: time
 * passes only in {@link #advance}, and every timer runs at the time it was set for, so a retry schedule
 * is tested without waiting for it. Tasks posted from other threads (the spool writer acknowledging a
 * record) are picked up by {@link #runUntil}.
 */
final class ManualQueueExecutor implements QueueExecutor {
    /** Real time {@link #runUntil} waits for work from other threads (disk writes) before it gives up. */
    private static final long PATIENCE_SECONDS = 10;

    private record Scheduled(long due, long seq, Runnable task, boolean[] cancelled) {}

    private final MutableClock clock;
    private final LinkedBlockingQueue<Runnable> ready = new LinkedBlockingQueue<>();
    private final PriorityQueue<Scheduled> timers =
            new PriorityQueue<>(Comparator.comparingLong(Scheduled::due).thenComparingLong(Scheduled::seq));
    private long seq;

    ManualQueueExecutor(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public synchronized Timer schedule(Runnable task, long delayMillis) {
        boolean[] cancelled = {false};
        timers.add(new Scheduled(clock.millis() + delayMillis, seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Tasks handed over and not run yet (timers not counted). */
    int readyTasks() {
        return ready.size();
    }

    /** Runs what is ready and what is due now, until nothing is. */
    void runDue() {
        while (true) {
            Runnable task = ready.poll();
            if (task == null) {
                task = nextTimerDueBy(clock.millis());
            }
            if (task == null) {
                return;
            }
            task.run();
        }
    }

    /**
     * Runs tasks until {@code done} holds, as Awaitility would wait for it: some of it is written by
     * other threads (the spool writer), which may post tasks here too. Fails the test when it does not
     * hold within {@value #PATIENCE_SECONDS} seconds of real time. The clock does not move.
     */
    void runUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        runDue();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the condition did not hold within " + PATIENCE_SECONDS + "s");
            }
            Runnable task;
            try {
                task = ready.poll(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (task != null) {
                task.run();
            }
            runDue();
        }
    }

    /** Moves the clock on by {@code by}, running each timer that falls due on the way at its own time. */
    void advance(Duration by) {
        long target = clock.millis() + by.toMillis();
        runDue();
        Runnable task;
        while ((task = nextTimerDueBy(target)) != null) {
            task.run();
            runDue();
        }
        clock.set(target);
        runDue();
    }

    /** The next timer due by {@code limit}, with the clock set to its time; null when none. */
    private synchronized Runnable nextTimerDueBy(long limit) {
        while (!timers.isEmpty() && timers.peek().due() <= limit) {
            Scheduled next = timers.poll();
            if (!next.cancelled()[0]) {
                clock.set(Math.max(clock.millis(), next.due()));
                return next.task();
            }
        }
        return null;
    }
}
