package dev.tern.relay.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@link SpoolStorage} on {@link FileChannel}: gathering writes and {@code force(false)}. A segment is
 * written by one thread only, so appending needs no {@code fstat}/{@code lseek} per write: the position is
 * put at the end once when the file is opened, and writes and truncation keep it there.
 */
final class FileSpoolStorage implements SpoolStorage {

    static final FileSpoolStorage INSTANCE = new FileSpoolStorage();

    /** Zeros for {@link Segment#preallocate}, shared read-only (each write takes a duplicate). */
    private static final ByteBuffer ZEROS =
            ByteBuffer.allocateDirect(256 * 1024).asReadOnlyBuffer();

    private FileSpoolStorage() {}

    @Override
    public Segment open(Path file) throws IOException {
        boolean created = !Files.exists(file);
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (created) {
            syncDirectory(file.toAbsolutePath().getParent());
        }
        try {
            // Appends go on from the end; only this writer moves the position after this (writes, truncate).
            channel.position(channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new FileSegment(channel);
    }

    /** A new file survives a crash only once its directory entry is on disk too (fsync(2) on the directory). */
    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open or force a directory; the file's own force is all we can do there.
        }
    }

    private static final class FileSegment implements Segment {
        private final FileChannel channel;

        FileSegment(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void append(ByteBuffer[] buffers) throws IOException {
            int first = 0;
            while (first < buffers.length) {
                channel.write(buffers, first, buffers.length - first);
                while (first < buffers.length && !buffers[first].hasRemaining()) {
                    first++;
                }
            }
        }

        @Override
        public void preallocate(long size) throws IOException {
            for (long end = channel.size(); end < size; ) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), size - end));
                end += channel.write(zeros, end);
            }
        }

        @Override
        public void force() throws IOException {
            // Data only: the file's size change is covered because fdatasync(2) flushes the metadata
            // needed to read the data back.
            channel.force(false);
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
            channel.position(size);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
