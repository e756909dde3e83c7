package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.Spool;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs attempts away from the queue's thread: the content is read back from the spool on the reader
 * (disk, never an event loop), handed to the {@link Deliverer}, and released once the attempt ends;
 * the outcomes go back to the queue's thread. Whatever goes wrong, the queue hears of the attempt once.
 */
final class Attempts {

    /** Hears, on the queue's thread, how an attempt ended; no outcome for a recipient means it failed whole. */
    @FunctionalInterface
    interface Ended {
        void ended(
                QueuedMessage m,
                String destination,
                List<Integer> indexes,
                List<RecipientOutcome> outcomes,
                Throwable failure);
    }

    private final Spool spool;
    private final Deliverer deliverer;
    private final Executor reader;
    private final Executor queue;
    private final Ended ended;

    Attempts(Spool spool, Deliverer deliverer, Executor reader, Executor queue, Ended ended) {
        this.spool = spool;
        this.deliverer = deliverer;
        this.reader = reader;
        this.queue = queue;
        this.ended = ended;
    }

    /** Starts an attempt for {@code indexes} of {@code m}, which all go to {@code destination}. */
    void start(QueuedMessage m, String destination, List<Integer> indexes) {
        try {
            reader.execute(() -> run(m, destination, indexes));
        } catch (RejectedExecutionException e) {
            ended.ended(m, destination, indexes, List.of(), e);
        }
    }

    private void run(QueuedMessage m, String destination, List<Integer> indexes) {
        ByteBuf content;
        try {
            content = spool.readContent(m.spooled());
        } catch (IOException | RuntimeException e) {
            queue.execute(() -> ended.ended(m, destination, indexes, List.of(), e));
            return;
        }
        CompletionStage<List<RecipientOutcome>> stage;
        try {
            stage = deliverer.deliver(destination, new DeliveryRequest(m.id, m.envelope, indexes, content));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((outcomes, failure) -> {
            content.release();
            queue.execute(() -> ended.ended(m, destination, indexes, outcomes == null ? List.of() : outcomes, failure));
        });
    }
}
