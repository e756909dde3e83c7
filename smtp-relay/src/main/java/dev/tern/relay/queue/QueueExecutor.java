package dev.tern.relay.queue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one thread the queue's state lives on, and its timers. The queue is handed one (by the wiring, or
 * by a test that runs it by hand on a controlled clock); it never starts a thread of its own. Tasks and
 * timers run one at a time, in order.
 */
public interface QueueExecutor extends Executor {

    /** Runs {@code task} on this executor once {@code delayMillis} have passed, unless cancelled first. */
    Timer schedule(Runnable task, long delayMillis);

    /**
     * Runs {@code work} on this executor and completes with the stage it returns; fails with an {@link
     * IllegalStateException} when the executor no longer takes tasks, or with what {@code work} throws.
     */
    default <T> CompletionStage<T> call(Supplier<CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            execute(() -> {
                try {
                    work.get().whenComplete((v, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else {
                            result.complete(v);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the queue is not running", e));
        }
        return result;
    }

    /** A task waiting for its time. */
    @FunctionalInterface
    interface Timer {
        /** The task will not run (if it is running already, it finishes). */
        void cancel();
    }

    /** Runs on {@code thread}, which must be single-threaded for the queue's state to be confined. */
    static QueueExecutor on(ScheduledExecutorService thread) {
        return new QueueExecutor() {
            @Override
            public void execute(Runnable task) {
                thread.execute(task);
            }

            @Override
            public Timer schedule(Runnable task, long delayMillis) {
                ScheduledFuture<?> future = thread.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
                return () -> future.cancel(false);
            }
        };
    }
}
