package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open sessions across all listeners, globally and per client address. Clients in trusted
 * networks are exempt from the per-address cap (as Postfix exempts mynetworks), not from the global one.
 */
public final class ConnectionLimiter {
    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a slot for the client, or returns the reply that refuses it (nothing is taken then). */
    SmtpReply acquire(InetAddress client, boolean exemptPerAddress) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return SmtpReplies.TOO_MANY_CONNECTIONS;
        }
        AtomicInteger count = perAddress.computeIfAbsent(client, k -> new AtomicInteger());
        if (count.incrementAndGet() > maxPerAddress && !exemptPerAddress) {
            release(client);
            return SmtpReplies.TOO_MANY_CONNECTIONS_FROM_YOU;
        }
        return null;
    }

    void release(InetAddress client) {
        total.decrementAndGet();
        perAddress.computeIfPresent(client, (k, v) -> v.decrementAndGet() == 0 ? null : v);
    }

    public int active() {
        return total.get();
    }
}
