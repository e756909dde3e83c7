package dev.tern.relay.spool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The messages on their way to the spool: transactions begun and not yet over (see {@link
 * dev.tern.smtp.queue.MailQueue#transactionStarted()}). While any are open, the writer may hold a batch
 * back for up to the spool's commit delay, so that one flush carries the messages they are about to hand
 * over instead of each paying for a flush of its own; it stops waiting the moment none is open. A message
 * with no other transaction open, a lone session's, is never held back.
 */
final class Arrivals {
    private final AtomicInteger open = new AtomicInteger();
    /** The writer while it waits here, for the transaction that ends the wait to wake it. */
    private volatile Thread waiting;
    /** Set as the spool closes: nothing is waited for any more. */
    private volatile boolean released;

    void started() {
        open.incrementAndGet();
    }

    void ended() {
        if (open.decrementAndGet() <= 0) {
            wake();
        }
    }

    /**
     * A transaction is over and its message is about to be queued: it stops counting, but a waiting writer
     * is not woken yet, or it could write its batch before the message is there. {@link #wakeIfNoneOpen()}
     * follows once it is.
     */
    void endedBeforeItsMessage() {
        open.decrementAndGet();
    }

    /** Wakes a waiting writer if no transaction is open any more. */
    void wakeIfNoneOpen() {
        if (open.get() <= 0) {
            wake();
        }
    }

    private void wake() {
        Thread writer = waiting;
        if (writer != null) {
            LockSupport.unpark(writer);
        }
    }

    /** Whether any transaction is open (and the spool is not closing). */
    boolean expected() {
        return open.get() > 0 && !released;
    }

    /** The spool is closing: the writer stops waiting, now and from now on. */
    void release() {
        released = true;
        wake();
    }

    /**
     * Parks the calling thread until no transaction is open or {@code nanos} have passed. Arrivals meanwhile
     * do not wake it: they wait in the writer's queue for the one batch.
     */
    void await(long nanos) {
        long deadline = System.nanoTime() + nanos;
        waiting = Thread.currentThread();
        try {
            while (expected() && !Thread.currentThread().isInterrupted()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            waiting = null;
        }
    }
}
