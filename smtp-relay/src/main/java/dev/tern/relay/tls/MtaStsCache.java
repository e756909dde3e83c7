package dev.tern.relay.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS policies in force, by domain: at most {@code maxEntries} (the least recently used go
 * first), each until its max_age has passed (RFC 8461 5.1), kept in a file so that they outlive a
 * restart. The file is rewritten off the caller's thread after a change (temp file, fsync, rename), one
 * write at a time; it is read once, at start. One line a policy: {@code domain id fetched max-age mode mx,...}.
 */
final class MtaStsCache {
    private static final Logger log = LoggerFactory.getLogger(MtaStsCache.class);

    private final Path file;
    private final int maxEntries;
    private final Executor writer;
    private final Clock clock;
    private final Map<String, MtaStsPolicy> policies;
    private final AtomicBoolean writePending = new AtomicBoolean();
    private final Object fileLock = new Object();

    /** Reads {@code file} if it exists (call it off any event loop: this is disk). */
    MtaStsCache(Path file, int maxEntries, Executor writer, Clock clock) {
        this.file = file;
        this.maxEntries = maxEntries;
        this.writer = writer;
        this.clock = clock;
        this.policies = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, MtaStsPolicy> eldest) {
                return size() > MtaStsCache.this.maxEntries;
            }
        };
        load();
    }

    /** The domain's policy while it is in force, else null. */
    synchronized MtaStsPolicy get(String domain) {
        String key = domain.toLowerCase(Locale.ROOT);
        MtaStsPolicy policy = policies.get(key);
        if (policy != null && !policy.expires().isAfter(clock.instant())) {
            policies.remove(key);
            return null;
        }
        return policy;
    }

    /** Keeps a policy (replacing the domain's last) and has the file rewritten soon. */
    void put(String domain, MtaStsPolicy policy) {
        synchronized (this) {
            policies.put(domain.toLowerCase(Locale.ROOT), policy);
        }
        if (writePending.compareAndSet(false, true)) {
            writer.execute(this::write);
        }
    }

    int maxEntries() {
        return maxEntries;
    }

    synchronized int size() {
        return policies.size();
    }

    private void write() {
        writePending.set(false);
        List<String> lines = new ArrayList<>();
        synchronized (this) {
            policies.forEach((domain, p) -> lines.add(String.join(
                    " ",
                    domain,
                    p.id(),
                    Long.toString(p.fetched().getEpochSecond()),
                    Long.toString(p.maxAge().toSeconds()),
                    p.mode().name().toLowerCase(Locale.ROOT),
                    p.mx().isEmpty() ? "-" : String.join(",", p.mx()))));
        }
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (fileLock) {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                try (FileChannel out = FileChannel.open(
                        temp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    out.force(true);
                }
                // The old file or the new one, never half of one.
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                log.warn("cannot write MTA-STS policies to {}: {}", file, e.toString());
            }
        }
    }

    private void load() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            log.warn("cannot read MTA-STS policies from {}: {}; starting without them", file, e.toString());
            return;
        }
        Instant now = clock.instant();
        for (String line : lines) {
            String[] f = line.strip().split(" ");
            if (f.length != 6) {
                continue;
            }
            try {
                MtaStsPolicy policy = new MtaStsPolicy(
                        f[1],
                        MtaStsPolicy.Mode.valueOf(f[4].toUpperCase(Locale.ROOT)),
                        f[5].equals("-") ? List.of() : Arrays.asList(f[5].split(",")),
                        Duration.ofSeconds(Long.parseLong(f[3])),
                        Instant.ofEpochSecond(Long.parseLong(f[2])));
                if (policy.expires().isAfter(now)) {
                    synchronized (this) {
                        policies.put(f[0], policy);
                    }
                }
            } catch (IllegalArgumentException e) {
                // A damaged line is one policy fewer: it is fetched again when needed.
            }
        }
    }
}
