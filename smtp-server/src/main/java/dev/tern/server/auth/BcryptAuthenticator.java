package dev.tern.server.auth;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks passwords against the users file on a small bounded pool, never on the caller's thread. When
 * the pool and its queue are full the stage fails with {@link RejectedExecutionException}, which the
 * session answers {@code 454 4.7.0} (RFC 4954 section 6): a flood of AUTH attempts cannot queue
 * unbounded bcrypt work. The file is re-read when its modification time or size changes, checked at most
 * once a second on the pool.
 */
public final class BcryptAuthenticator implements Authenticator, AutoCloseable {
    static final int THREADS = 2;
    static final int QUEUE = 64;

    private static final Logger log = LoggerFactory.getLogger(BcryptAuthenticator.class);

    private final ExecutorService executor;

    private final ReloadingFile<UserStore> store;

    BcryptAuthenticator(Path usersFile, ExecutorService executor, InstantSource clock) {
        this.executor = executor;
        this.store = new ReloadingFile<>(usersFile, "users file", UserStore::load, UserStore::size, clock);
    }

    /**
     * Loads {@code usersFile} now (a bad line fails the start) and checks passwords on two threads with a
     * queue of 64.
     *
     * @throws UserFileException if the file exists but cannot be read or has a bad line
     */
    public static BcryptAuthenticator open(Path usersFile) {
        return new BcryptAuthenticator(usersFile, newExecutor(THREADS, QUEUE), InstantSource.system());
    }

    static ExecutorService newExecutor(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "tern-auth-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public CompletionStage<Boolean> authenticate(String username, String password) {
        if (username == null || password == null) {
            return CompletableFuture.completedFuture(false);
        }
        try {
            return CompletableFuture.supplyAsync(() -> store.current().verify(username, password), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The users currently loaded (for tests and the log at start). */
    public int userCount() {
        return store.loaded().size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
