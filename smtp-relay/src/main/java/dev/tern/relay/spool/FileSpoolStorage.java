package dev.tern.relay.spool;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SpoolStorage} on {@link FileChannel}: gathering writes and {@code force(false)}. A segment is
 * written by one thread only, so appending needs no {@code fstat}/{@code lseek} per write: the position is
 * put at the end once when the file is opened, and writes and truncation keep it there.
 *
 * <p>An append of large messages ({@link Segment#appendLarge}) of {@link #DIRECT_MIN} or more goes around the
 * page cache: its whole blocks are written through a second channel opened with {@code O_DIRECT}, and only
 * the partial blocks at its two ends through the page cache. Copied into the page cache and flushed from it,
 * each MiB cost the kernel 1.1-1.6 ms of processor here, written directly about 0.1 ms (and the disk took it
 * faster). Where the file system refuses {@code O_DIRECT} (or has blocks over 64 KiB), every append goes
 * through the page cache. Either way nothing is durable before {@link Segment#force}, which flushes both.
 */
final class FileSpoolStorage implements SpoolStorage {

    private static final Logger LOG = LoggerFactory.getLogger(FileSpoolStorage.class);

    /** Appends of large messages of this many bytes or more write their whole blocks with {@code O_DIRECT}. */
    static final long DIRECT_MIN = 256L << 10;

    /** How much of a large append is copied into the aligned buffer and written at a time. */
    private static final int DIRECT_CHUNK = 1 << 20;

    /** The largest block size direct writes are made for: the copy buffer has this much room to align in. */
    private static final int MAX_BLOCK = 64 << 10;

    /**
     * The buffer a spool's writer thread copies large appends into, one per thread for its life (a segment
     * file is written by one thread only), rather than a megabyte of direct memory per segment.
     */
    private static final ThreadLocal<ByteBuffer> CHUNK =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(DIRECT_CHUNK + MAX_BLOCK));

    static final FileSpoolStorage INSTANCE =
            new FileSpoolStorage(file -> FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT));

    /** Opens a segment's file a second time, for {@code O_DIRECT} writes, and names the block they align to. */
    interface DirectOpener {
        FileChannel open(Path file) throws IOException;

        /** The block size of {@code file}'s file system, which direct writes' offsets and lengths align to. */
        default int blockSize(Path file) throws IOException {
            return Math.toIntExact(Files.getFileStore(file).getBlockSize());
        }
    }

    private final DirectOpener directOpener;

    /** Zeros for {@link Segment#preallocate}, shared read-only (each write takes a duplicate). */
    private static final ByteBuffer ZEROS =
            ByteBuffer.allocateDirect(256 * 1024).asReadOnlyBuffer();

    /**
     * {@link #INSTANCE}; tests give an opener that refuses, a channel that fails its writes, or blocks too large.
     */
    FileSpoolStorage(DirectOpener directOpener) {
        this.directOpener = directOpener;
    }

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
        return new FileSegment(channel, file, directOpener);
    }

    /** A new file survives a crash only once its directory entry is on disk too (fsync(2) on the directory). */
    static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open or force a directory; the file's own force is all we can do there.
        }
    }

    private static final class FileSegment implements Segment {
        private final FileChannel channel;
        private final Path file;
        private final DirectOpener directOpener;
        /** The same file opened with {@code O_DIRECT}, once a large append needs it; null before. */
        private FileChannel direct;
        /** The file system refused {@code O_DIRECT}: every append goes through the page cache. */
        private boolean cachedOnly;
        /** The file system's block size, to which direct writes and their buffer are aligned. */
        private int block;
        /** A block-aligned buffer for direct writes, and one block for the partial blocks at the ends. */
        private ByteBuffer aligned;

        private ByteBuffer edge;

        FileSegment(FileChannel channel, Path file, DirectOpener directOpener) {
            this.channel = channel;
            this.file = file;
            this.directOpener = directOpener;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void appendLarge(ByteBuffer[] buffers) throws IOException {
            long total = 0;
            for (ByteBuffer b : buffers) {
                total += b.remaining();
            }
            if (total >= DIRECT_MIN && openDirect()) {
                long start = channel.position();
                int[] positions = new int[buffers.length];
                for (int i = 0; i < buffers.length; i++) {
                    positions[i] = buffers[i].position();
                }
                try {
                    appendDirect(buffers, total);
                    return;
                } catch (IOException e) {
                    // A file system may take O_DIRECT at open and refuse its writes. The page cache writes the
                    // whole append again from its start; a failing disk fails that too, and the batch with it.
                    LOG.warn(
                            "spool: an O_DIRECT write to {} failed ({}); writing through the page cache",
                            file,
                            e.toString());
                    cachedOnly = true;
                    try (FileChannel d = direct) {
                        direct = null;
                    }
                    for (int i = 0; i < buffers.length; i++) {
                        buffers[i].position(positions[i]);
                    }
                    channel.position(start);
                }
            }
            append(buffers);
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

        private boolean openDirect() {
            if (direct != null || cachedOnly) {
                return direct != null;
            }
            try {
                block = directOpener.blockSize(file);
                if (block > MAX_BLOCK) {
                    throw new IOException("blocks of " + block + " octets");
                }
                direct = directOpener.open(file);
                aligned = CHUNK.get().alignedSlice(block);
                edge = ByteBuffer.allocateDirect(block);
            } catch (IOException | RuntimeException e) {
                LOG.debug(
                        "spool: {} takes no O_DIRECT writes ({}); appending through the page cache",
                        file,
                        e.toString());
                cachedOnly = true;
                direct = null;
            }
            return direct != null;
        }

        /**
         * The partial block at the start through the page cache, the whole blocks with {@code O_DIRECT}, the
         * partial block at the end through the page cache again; the channel's position then at the end.
         */
        private void appendDirect(ByteBuffer[] buffers, long total) throws IOException {
            long start = channel.position();
            long end = start + total;
            long from = Math.min(end, (start + block - 1) / block * block);
            long to = Math.max(from, end / block * block);
            Source source = new Source(buffers);
            writeEdge(source, start, from);
            for (long at = from; at < to; ) {
                aligned.clear().limit((int) Math.min(aligned.capacity(), to - at));
                source.fill(aligned);
                aligned.flip();
                while (aligned.hasRemaining()) {
                    at += direct.write(aligned, at);
                }
            }
            writeEdge(source, to, end);
            channel.position(end);
        }

        private void writeEdge(Source source, long from, long to) throws IOException {
            edge.clear().limit((int) (to - from));
            source.fill(edge);
            edge.flip();
            for (long at = from; edge.hasRemaining(); ) {
                at += channel.write(edge, at);
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
            try (FileChannel d = direct) {
                channel.close();
            }
        }
    }

    /** The bytes of an append's buffers, in order, copied out a target at a time. */
    private static final class Source {
        private final ByteBuffer[] buffers;
        private int next;

        Source(ByteBuffer[] buffers) {
            this.buffers = buffers;
        }

        /** Fills {@code target} to its limit from the buffers' remaining bytes, consuming them. */
        void fill(ByteBuffer target) {
            while (target.hasRemaining()) {
                ByteBuffer b = buffers[next];
                int n = Math.min(b.remaining(), target.remaining());
                if (n == b.remaining()) {
                    target.put(b);
                    next++;
                } else {
                    int limit = b.limit();
                    b.limit(b.position() + n);
                    target.put(b);
                    b.limit(limit);
                }
            }
        }
    }
}
