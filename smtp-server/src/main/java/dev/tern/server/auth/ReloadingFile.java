package dev.tern.server.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file read once at start and again when it changed (its modification time, size or identity: {@link FileStamp}), looked at no more
 * than once a second. A version that does not load keeps the last good one: a half-edited file must not
 * lock everyone out. Reads the disk: call {@link #current()} off event loops.
 *
 * @param <T> what the file holds once parsed
 */
public final class ReloadingFile<T> {
    private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final Path file;
    private final String what;
    private final Function<Path, T> loader;
    private final ToIntFunction<T> count;
    private final InstantSource clock;

    // Guarded by this.
    private Instant lastCheck;
    private FileStamp loadedStamp;
    private volatile T value;

    /**
     * Loads {@code file} now; a failure to load it is thrown.
     *
     * @param what what the file is, for log lines ("users file")
     * @param count how many entries a loaded value has, for log lines
     */
    public ReloadingFile(
            Path file, String what, Function<Path, T> loader, ToIntFunction<T> count, InstantSource clock) {
        this.file = file;
        this.what = what;
        this.loader = loader;
        this.count = count;
        this.clock = clock;
        this.loadedStamp = FileStamp.of(file);
        this.value = loader.apply(file);
        this.lastCheck = clock.instant();
    }

    /** The value as last loaded, without looking at the file. */
    public T loaded() {
        return value;
    }

    /** The value, loaded again first when the file changed since. */
    public synchronized T current() {
        Instant now = clock.instant();
        if (Duration.between(lastCheck, now).compareTo(CHECK_EVERY) < 0) {
            return value;
        }
        lastCheck = now;
        FileStamp stamp = FileStamp.of(file);
        if (stamp.equals(loadedStamp)) {
            return value;
        }
        loadedStamp = stamp;
        try {
            value = loader.apply(file);
            log.info("reloaded {} {}: {} entries", what, file, count.applyAsInt(value));
        } catch (RuntimeException e) {
            log.warn("{} not reloaded, keeping {} entries: {}", what, count.applyAsInt(value), e.getMessage());
        }
        return value;
    }
}
