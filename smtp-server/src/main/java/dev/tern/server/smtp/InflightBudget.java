package dev.tern.server.smtp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the message bytes held in memory across all sessions (received but not yet on disk), so
 * that many large messages at once are answered 452 4.3.1 instead of exhausting the heap.
 */
public final class InflightBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public InflightBudget(long limit) {
        this.limit = limit;
    }

    boolean tryReserve(long bytes) {
        long now = used.addAndGet(bytes);
        if (now > limit) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }
}
