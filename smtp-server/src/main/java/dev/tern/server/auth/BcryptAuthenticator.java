package dev.tern.server.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
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
    static final Duration RELOAD_CHECK = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(BcryptAuthenticator.class);

    private final Path usersFile;
    private final ExecutorService executor;
    private final InstantSource clock;

    // Guarded by this; touched only on the pool.
    private Instant lastCheck;
    private FileStamp loadedStamp;
    private volatile UserStore store;

    BcryptAuthenticator(Path usersFile, ExecutorService executor, InstantSource clock) {
        this.usersFile = usersFile;
        this.executor = executor;
        this.clock = clock;
        this.loadedStamp = FileStamp.of(usersFile);
        this.store = UserStore.load(usersFile);
        this.lastCheck = clock.instant();
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
            return CompletableFuture.supplyAsync(
                    () -> {
                        reloadIfChanged();
                        return store.verify(username, password);
                    },
                    executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The users currently loaded (for tests and the log at start). */
    public int userCount() {
        return store.size();
    }

    private synchronized void reloadIfChanged() {
        Instant now = clock.instant();
        if (Duration.between(lastCheck, now).compareTo(RELOAD_CHECK) < 0) {
            return;
        }
        lastCheck = now;
        FileStamp stamp = FileStamp.of(usersFile);
        if (stamp.equals(loadedStamp)) {
            return;
        }
        loadedStamp = stamp;
        try {
            store = UserStore.load(usersFile);
            log.info("reloaded users file {}: {} users", usersFile, store.size());
        } catch (UserFileException e) {
            // Keep the users we had: a half-edited file must not lock everyone out.
            log.warn("users file not reloaded, keeping {} users: {}", store.size(), e.getMessage());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** What tells us the file changed; a missing file has its own stamp. */
    private record FileStamp(FileTime modified, long size) {
        static FileStamp of(Path file) {
            try {
                return new FileStamp(Files.getLastModifiedTime(file), Files.size(file));
            } catch (NoSuchFileException e) {
                return new FileStamp(FileTime.fromMillis(0), -1);
            } catch (IOException e) {
                return new FileStamp(FileTime.fromMillis(0), -2);
            }
        }
    }
}
