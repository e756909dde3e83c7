package dev.tern.server.smtp;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.QueueException;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue for tests: keeps what it is given; completes at once, fails, or holds until released. It also
 * notes, in order, each transaction started, each message given to it and each transaction ended.
 */
final class RecordingQueue implements MailQueue {
    record Stored(QueueId id, Envelope envelope, String content) {}

    final List<Stored> stored = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<QueueId>> held = new CopyOnWriteArrayList<>();
    /** "started", "enqueue", "handOver" and "ended", in the order the session told this queue. */
    final List<String> transactions = new CopyOnWriteArrayList<>();

    private final AtomicInteger ids = new AtomicInteger();
    volatile boolean fail;
    volatile boolean hold;

    @Override
    public CompletionStage<QueueId> enqueue(Envelope envelope, ByteBuf content) {
        transactions.add("enqueue");
        return store(envelope, content);
    }

    /** Recorded as one call: the queue is told the message and the transaction's end together. */
    @Override
    public CompletionStage<QueueId> handOver(Envelope envelope, ByteBuf content) {
        transactions.add("handOver");
        return store(envelope, content);
    }

    private CompletionStage<QueueId> store(Envelope envelope, ByteBuf content) {
        try {
            if (fail) {
                return CompletableFuture.failedFuture(new QueueException("disk full", true, null));
            }
            QueueId id = new QueueId("Q" + ids.incrementAndGet());
            stored.add(new Stored(id, envelope, content.toString(StandardCharsets.UTF_8)));
            if (hold) {
                CompletableFuture<QueueId> pending = new CompletableFuture<>();
                held.add(pending);
                return pending.thenApply(ignored -> id);
            }
            return CompletableFuture.completedFuture(id);
        } finally {
            content.release();
        }
    }

    @Override
    public void transactionStarted() {
        transactions.add("started");
    }

    @Override
    public void transactionEnded() {
        transactions.add("ended");
    }

    /** Completes every held enqueue. */
    void releaseHeld() {
        held.forEach(f -> f.complete(null));
        held.clear();
    }
}
