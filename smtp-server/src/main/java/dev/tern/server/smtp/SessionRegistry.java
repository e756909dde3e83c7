package dev.tern.server.smtp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live sessions, so that shutdown can drain them: idle sessions are closed with 421 at once,
 * sessions inside a transaction finish it first (RFC 5321 3.8).
 */
public final class SessionRegistry {
    private final Set<SmtpSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean draining = new AtomicBoolean();

    void add(SmtpSession session) {
        sessions.add(session);
        if (draining.get()) {
            session.drainSoon();
        }
    }

    void remove(SmtpSession session) {
        sessions.remove(session);
        if (sessions.isEmpty()) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Waits (never on an event loop) until no session is left or the time is up; true when none is. */
    public synchronized boolean awaitEmpty(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while (!sessions.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return sessions.isEmpty();
    }

    boolean isDraining() {
        return draining.get();
    }

    /** Asks every session to end as soon as it holds no transaction. */
    public void drain() {
        draining.set(true);
        sessions.forEach(SmtpSession::drainSoon);
    }

    /** Ends every session now with 421 4.3.0, whatever it was doing; its transaction is discarded. */
    public void closeAll() {
        sessions.forEach(SmtpSession::closeNow);
    }

    public int size() {
        return sessions.size();
    }
}
