package dev.tern.server.smtp;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the message bytes held in memory across all sessions (received but not yet on disk), so
 * that many large messages at once are answered 452 4.3.1 instead of exhausting the heap; and the share of it
 * one client address may hold, so that one client sending large messages and then trickling them cannot keep
 * the whole of it from every other client for as long as its turns last.
 */
public final class InflightBudget {
    private final long limit;
    private final long perClient;
    private final AtomicLong used = new AtomicLong();
    /** What each client address holds now; an address holding nothing has no entry. */
    private final ConcurrentHashMap<InetAddress, Long> byClient = new ConcurrentHashMap<>();

    /** A budget with no share per client. */
    public InflightBudget(long limit) {
        this(limit, limit);
    }

    /** @param perClient the most one client address may hold of {@code limit} */
    public InflightBudget(long limit, long perClient) {
        this.limit = limit;
        this.perClient = Math.min(limit, perClient);
    }

    /** {@code limit}'s share for one client address: a quarter, but always room for one message of {@code maxMessage}. */
    public static long shareOf(long limit, long maxMessage) {
        return Math.min(limit, Math.max(limit / 4, maxMessage));
    }

    /** Reserves {@code bytes} for {@code client} (null: a client held to no share, a trusted one). */
    boolean tryReserve(InetAddress client, long bytes) {
        if (client != null && !reserveForClient(client, bytes)) {
            return false;
        }
        long now = used.addAndGet(bytes);
        if (now > limit) {
            used.addAndGet(-bytes);
            if (client != null) {
                releaseForClient(client, bytes);
            }
            return false;
        }
        return true;
    }

    void release(InetAddress client, long bytes) {
        used.addAndGet(-bytes);
        if (client != null) {
            releaseForClient(client, bytes);
        }
    }

    public long used() {
        return used.get();
    }

    private boolean reserveForClient(InetAddress client, long bytes) {
        boolean[] taken = {false};
        byClient.compute(client, (address, held) -> {
            long now = (held == null ? 0 : held) + bytes;
            if (now > perClient) {
                return held;
            }
            taken[0] = true;
            return now;
        });
        return taken[0];
    }

    private void releaseForClient(InetAddress client, long bytes) {
        byClient.computeIfPresent(client, (address, held) -> held - bytes > 0 ? held - bytes : null);
    }
}
