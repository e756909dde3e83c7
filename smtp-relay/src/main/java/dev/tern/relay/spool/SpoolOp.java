package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/** Work handed to the spool writer thread: one record to append, or the order to stop. */
sealed interface SpoolOp {

    /** The content a message record of {@code op} carries, or null. */
    static ByteBuf contentOf(SpoolOp op) {
        return switch (op) {
            case Message m -> m.content();
            case Relocate r -> r.content();
            default -> null;
        };
    }

    /** Fails the caller's stage; the writer never wrote this op's record. */
    void fail(Throwable cause);

    /**
     * The same record to write again, with a stage nobody waits for, when the batch that held it failed: a
     * delivery state, a hold or a DONE must reach the disk some time, or a restart delivers the message again
     * and its segment is never deleted. None for a message: its client was told, and sends it again.
     */
    default SpoolOp again() {
        return null;
    }

    /** A new message; {@code content} is owned by the writer from now on. */
    record Message(Envelope envelope, ByteBuf content, long arrivalMillis, CompletableFuture<QueueId> result)
            implements SpoolOp {
        @Override
        public void fail(Throwable cause) {
            result.completeExceptionally(cause);
        }
    }

    /**
     * An unfinished message of an old segment written again, with its id and arrival time, so that the old
     * segment can go ({@link SegmentRoller#relocations}); {@code content} is owned by the writer from now on.
     * Its recipients' states and its hold follow it as records of their own, in the same batch.
     */
    record Relocate(SpooledMessage message, ByteBuf content) implements SpoolOp {
        @Override
        public void fail(Throwable cause) {}
    }

    /** A recipient's new delivery state. */
    record State(QueueId id, int recipient, RecipientState state, CompletableFuture<Void> result) implements SpoolOp {
        @Override
        public void fail(Throwable cause) {
            result.completeExceptionally(cause);
        }

        @Override
        public SpoolOp again() {
            return new State(id, recipient, state, new CompletableFuture<>());
        }
    }

    /** The operator held ({@code held}) or released the message. */
    record Hold(QueueId id, boolean held, CompletableFuture<Void> result) implements SpoolOp {
        @Override
        public void fail(Throwable cause) {
            result.completeExceptionally(cause);
        }

        @Override
        public SpoolOp again() {
            return new Hold(id, held, new CompletableFuture<>());
        }
    }

    /** The message is finished: no recipient needs anything more, its DSNs are spooled. */
    record Done(QueueId id, CompletableFuture<Void> result) implements SpoolOp {
        @Override
        public void fail(Throwable cause) {
            result.completeExceptionally(cause);
        }

        @Override
        public SpoolOp again() {
            return new Done(id, new CompletableFuture<>());
        }
    }

    /** The last op: write what came before, then stop. */
    enum Stop implements SpoolOp {
        INSTANCE;

        @Override
        public void fail(Throwable cause) {}
    }
}
