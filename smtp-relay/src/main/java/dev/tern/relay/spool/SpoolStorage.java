package dev.tern.relay.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * How the spool writer touches segment files: open, append, force, truncate. The default is
 * {@link #files()}, on {@link java.nio.channels.FileChannel}; tests wrap it to count forces or to
 * fail like a full disk.
 */
public interface SpoolStorage {

    /** The real thing: segment files through {@link java.nio.channels.FileChannel}. */
    static SpoolStorage files() {
        return FileSpoolStorage.INSTANCE;
    }

    /**
     * Opens a segment file for writing, creating it when missing (a new file's directory entry is
     * made durable too).
     */
    Segment open(Path file) throws IOException;

    /**
     * One open segment file. Only the spool writer thread appends to it, truncates and closes it; {@link
     * #force} may also run on the spool's flushing thread while the writer appends the rest of a large batch
     * (see {@code OverlappedFlush}).
     */
    interface Segment extends Closeable {

        /** The file's current size in bytes. */
        long size() throws IOException;

        /**
         * Writes every remaining byte of {@code buffers}, in order, where the last append ended (at open:
         * the end of the file; after {@link #truncate}: the new end).
         */
        void append(ByteBuffer[] buffers) throws IOException;

        /**
         * {@link #append}, for the records of large messages: they may be written around the page cache
         * ({@code O_DIRECT}), which costs the kernel far less per byte than copying them into it and flushing
         * them from there, at the price of a read from the disk when they are delivered. Nothing is durable
         * before {@link #force} either way.
         */
        default void appendLarge(ByteBuffer[] buffers) throws IOException {
            append(buffers);
        }

        /**
         * Writes zeros from the end of the file up to {@code size} bytes; appends still go on where the
         * last one ended. Appends over blocks written before change no metadata, so forcing them is a
         * flush of data alone, without the file's metadata (its size, its block map).
         */
        void preallocate(long size) throws IOException;

        /** Forces written content (not necessarily metadata) to stable storage. */
        void force() throws IOException;

        /** Cuts the file to {@code size} bytes; appends go on from there. */
        void truncate(long size) throws IOException;
    }
}
