package dev.tern.relay.local;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Writes one message into one Maildir folder: tmp, force, rename into new, force new. Blocking. Local
 * delivery and {@code tern sink} both write through it.
 */
public final class MaildirWriter {
    /** A unique name that is taken means a clock step back or a foreign writer; a few fresh names settle it. */
    private static final int NAME_ATTEMPTS = 5;

    private final MaildirNames names;

    MaildirWriter(MaildirNames names) {
        this.names = names;
    }

    /** A writer naming its files after {@code hostname}, this process and {@code clock}. */
    public static MaildirWriter forHost(String hostname, java.time.Clock clock) {
        return new MaildirWriter(
                new MaildirNames(clock, hostname, ProcessHandle.current().pid()));
    }

    /**
     * Stores {@code prefix} followed by the readable bytes of {@code content} (its indexes are left
     * alone), with CRLF line ends turned into LF ({@link LfLineEnds}), as a new message in the Maildir
     * at {@code folder}, creating the folder if needed. {@code prefix} is written as it is.
     *
     * @return the file in {@code new/}
     */
    public Path write(Path folder, byte[] prefix, ByteBuf content) throws IOException {
        return write(folder, prefix, List.of(content));
    }

    /**
     * As {@link #write(Path, byte[], ByteBuf)}, the message given as {@code parts} written one after the
     * other; each is cut at a line's start, so no CRLF is split between two of them.
     */
    Path write(Path folder, byte[] prefix, List<ByteBuf> parts) throws IOException {
        Path tmp = folder.resolve("tmp");
        Path fresh = folder.resolve("new");
        createDirectories(tmp);
        createDirectories(fresh);
        createDirectories(folder.resolve("cur"));
        for (int attempt = 1; ; attempt++) {
            String name = names.next();
            Path tmpFile = tmp.resolve(name);
            try {
                writeFile(tmpFile, prefix, parts);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= NAME_ATTEMPTS) {
                    throw e;
                }
                continue;
            }
            Path target = fresh.resolve(name);
            try {
                // Maildir: the message appears in new/ whole or not at all.
                Files.move(tmpFile, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(tmpFile);
                throw e;
            }
            // The rename is durable only once the directory entry is on disk (fsync(2) on the directory).
            syncDirectory(fresh);
            return target;
        }
    }

    private static void writeFile(Path file, byte[] prefix, List<ByteBuf> parts) throws IOException {
        // CREATE_NEW: a name someone else holds is reported, never overwritten or deleted.
        FileChannel channel = FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileAttributes(file, false));
        boolean done = false;
        try (channel) {
            ByteBuffer head = ByteBuffer.wrap(prefix);
            while (head.hasRemaining()) {
                channel.write(head);
            }
            long position = prefix.length;
            for (ByteBuf part : parts) {
                position += LfLineEnds.write(part, channel, position);
            }
            // Maildir: the file must be on disk before it is renamed into new/.
            channel.force(true);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, fileAttributes(dir, true));
        }
    }

    /** 0700 folders and 0600 files where the file system knows POSIX permissions: mail is private. */
    private static FileAttribute<?>[] fileAttributes(Path path, boolean directory) {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"))
        };
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open or force a directory; the file's own force is all we can do there.
        }
    }
}
