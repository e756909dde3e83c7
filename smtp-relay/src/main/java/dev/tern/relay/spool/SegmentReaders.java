package dev.tern.relay.spool;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Read channels of segment files, kept open so that reading a message's content for a delivery costs one
 * positional read, not an {@code open} and a {@code close} as well. At most {@link #MAX_OPEN} are open, the
 * least recently read closed first; the writer closes a segment's before it deletes the file. A channel
 * closed under a reader (evicted, or by another reader's interrupt) makes that read open the file for itself.
 */
final class SegmentReaders implements Closeable {

    static final int MAX_OPEN = 16;

    private final Path directory;
    private final Map<Long, FileChannel> open = new LinkedHashMap<>(MAX_OPEN * 2, 0.75f, true); // guarded by this
    private boolean closed; // guarded by this

    SegmentReaders(Path directory) {
        this.directory = directory;
    }

    /** Reads {@code length} octets at {@code offset} of segment {@code seq} into a new buffer the caller releases. */
    ByteBuf read(long seq, long offset, int length, Object what) throws IOException {
        ByteBuf content = ByteBufAllocator.DEFAULT.directBuffer(length, length);
        try {
            try {
                readFully(channel(seq), content, offset, seq, what);
            } catch (ClosedChannelException e) {
                content.clear();
                try (FileChannel own = FileChannel.open(file(seq), StandardOpenOption.READ)) {
                    readFully(own, content, offset, seq, what);
                }
            }
            return content;
        } catch (IOException | RuntimeException e) {
            content.release();
            throw e;
        }
    }

    /** Closes the channel of a segment about to be deleted. */
    synchronized void forget(long seq) {
        closeQuietly(open.remove(seq));
    }

    @Override
    public synchronized void close() {
        closed = true;
        open.values().forEach(SegmentReaders::closeQuietly);
        open.clear();
    }

    private synchronized FileChannel channel(long seq) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        FileChannel channel = open.get(seq);
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        channel = FileChannel.open(file(seq), StandardOpenOption.READ);
        open.put(seq, channel);
        if (open.size() > MAX_OPEN) {
            Iterator<FileChannel> eldest = open.values().iterator();
            closeQuietly(eldest.next());
            eldest.remove();
        }
        return channel;
    }

    private Path file(long seq) {
        return directory.resolve(RecordFormat.fileName(seq));
    }

    private void readFully(FileChannel channel, ByteBuf content, long offset, long seq, Object what)
            throws IOException {
        long position = offset;
        while (content.isWritable()) {
            int n = content.writeBytes(channel, position, content.writableBytes());
            if (n < 0) {
                throw new EOFException(file(seq) + " ends before the content of " + what);
            }
            position += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // a read channel: nothing was written through it
        }
    }
}
