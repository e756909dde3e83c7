package dev.tern.server.app;

import dev.tern.server.config.DkimConfig;
import dev.tern.server.dkim.DkimMetrics;
import dev.tern.server.dkim.DkimSigner;
import dev.tern.smtp.queue.Signer;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The signer the sessions use, and the bounded pool it hashes and signs on: {@code dkim.threads} threads,
 * at most {@code dkim.max-pending} messages waiting (past it the pool refuses, and the message gets a 4xx).
 * Without keys, {@link Signer#NONE} and no threads.
 */
final class DkimSigning implements AutoCloseable {
    final Signer signer;
    private final ThreadPoolExecutor pool;

    private DkimSigning(Signer signer, ThreadPoolExecutor pool) {
        this.signer = signer;
        this.pool = pool;
    }

    static DkimSigning start(DkimConfig config, DkimMetrics metrics, Clock clock) {
        if (!config.enabled()) {
            return new DkimSigning(Signer.NONE, null);
        }
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                config.threads(),
                config.threads(),
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.maxPending()),
                task -> {
                    Thread t = new Thread(task, "tern-dkim-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        DkimSigner signer = new DkimSigner(
                config.loadKeys(),
                config.canonicalization(),
                config.headers(),
                config.expireAfter(),
                pool,
                clock,
                metrics);
        return new DkimSigning(signer, pool);
    }

    /** Lets queued work finish (its sessions are gone by now) and stops the threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
