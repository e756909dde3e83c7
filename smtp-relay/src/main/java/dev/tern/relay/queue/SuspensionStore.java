package dev.tern.relay.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manual suspensions, kept in a small text file so that they outlast a restart: a first line {@value
 * #HEADER}, then one line per destination, {@code DESTINATION SINCE UNTIL REASON} with times in epoch
 * milliseconds and {@code -} for no expiry. Written whole on the {@code io} executor (never the queue's
 * thread nor an event loop): a temporary file, synced, renamed over the old one, so a crash leaves either
 * the old list or the new one. Writes run one after another, in the order they were asked for.
 */
final class SuspensionStore {
    private static final Logger log = LoggerFactory.getLogger(SuspensionStore.class);
    static final String HEADER = "tern-suspensions 1";

    private final Path file;
    private final Executor io;
    private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);

    /** @param file where the list lives, or null to keep suspensions in memory only */
    SuspensionStore(Path file, Executor io) {
        this.file = file;
        this.io = io;
    }

    /** Keeps nothing: manual suspensions end with the process. */
    static SuspensionStore inMemory() {
        return new SuspensionStore(null, Runnable::run);
    }

    /** The saved suspensions; a missing file is none, an unreadable line is skipped with a warning. */
    Map<String, Suspension> load() {
        Map<String, Suspension> out = new LinkedHashMap<>();
        if (file == null) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            log.warn("suspensions: cannot read {}: {}", file, e.toString());
            return out;
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            log.warn("suspensions: {} does not start with '{}', ignored", file, HEADER);
            return out;
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(" ", 4);
            try {
                out.put(
                        f[0],
                        new Suspension(
                                Instant.ofEpochMilli(Long.parseLong(f[1])),
                                f[2].equals("-")
                                        ? Optional.empty()
                                        : Optional.of(Instant.ofEpochMilli(Long.parseLong(f[2]))),
                                f.length > 3 ? f[3] : "",
                                true));
            } catch (RuntimeException e) {
                log.warn("suspensions: {}: line '{}' skipped: {}", file, line, e.toString());
            }
        }
        return out;
    }

    /** Replaces the file by {@code suspensions}; the stage completes once it is on disk (or failed to be). */
    CompletionStage<Void> save(Map<String, Suspension> suspensions) {
        if (file == null) {
            return CompletableFuture.completedFuture(null);
        }
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        suspensions.forEach((destination, s) -> text.append(destination)
                .append(' ')
                .append(s.since().toEpochMilli())
                .append(' ')
                .append(s.until().map(u -> Long.toString(u.toEpochMilli())).orElse("-"))
                .append(' ')
                .append(s.reason())
                .append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        // A failed write does not stop the next one.
        writes = writes.exceptionally(e -> null).thenRunAsync(() -> write(bytes), io);
        return writes;
    }

    private void write(byte[] bytes) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            log.warn("suspensions: cannot write {}: {}", file, e.toString());
            throw new UncheckedIOException(e);
        }
    }

    /** Makes the rename durable (POSIX); where a directory cannot be opened, the rename is as durable as it gets. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            log.debug("suspensions: cannot sync {}: {}", dir, e.toString());
        }
    }
}
