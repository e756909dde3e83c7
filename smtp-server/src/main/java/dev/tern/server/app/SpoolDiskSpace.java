package dev.tern.server.app;

import dev.tern.server.smtp.SpoolSpace;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space of the spool's file system, sampled once a second on a thread of its own (asking the file
 * system is a system call no event loop may wait for), less the reserve {@code spool.min-free-space}.
 */
final class SpoolDiskSpace implements SpoolSpace, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpoolDiskSpace.class);

    private final FileStore store;
    private final long reserve;
    private final AtomicLong usable = new AtomicLong(Long.MAX_VALUE);
    private final ScheduledExecutorService sampler;
    private volatile boolean warned;

    private SpoolDiskSpace(FileStore store, long reserve) {
        this.store = store;
        this.reserve = reserve;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tern-disk-space");
            t.setDaemon(true);
            return t;
        });
    }

    /** Samples now, then every second. */
    static SpoolDiskSpace watch(Path spoolDirectory, long reserve) throws IOException {
        SpoolDiskSpace space = new SpoolDiskSpace(Files.getFileStore(spoolDirectory), reserve);
        space.sample();
        space.sampler.scheduleWithFixedDelay(space::sample, 1, 1, TimeUnit.SECONDS);
        return space;
    }

    private void sample() {
        try {
            long now = store.getUsableSpace();
            usable.set(now);
            boolean low = now < reserve;
            if (low != warned) {
                warned = low;
                if (low) {
                    log.warn("spool file system below its reserve: {} bytes free, {} kept: MAIL refused", now, reserve);
                } else {
                    log.info("spool file system above its reserve again: {} bytes free", now);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The last sample stands; a failing disk also fails the spool's writes, which answer 451.
            log.warn("cannot read the spool's free space: {}", e.toString());
        }
    }

    @Override
    public long headroom() {
        return usable.get() - reserve;
    }

    /** Octets usable on the spool's file system at the last sample. */
    long usable() {
        return usable.get();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
