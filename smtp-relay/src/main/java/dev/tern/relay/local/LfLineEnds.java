package dev.tern.relay.local;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Copies message bytes into a file with every CRLF turned into LF, the line end Maildir files have on
 * disk (Postfix's local and virtual agents, Exim's appendfile and Dovecot's LDA all write LF; Dovecot
 * turns it back into CRLF for IMAP). A CR or LF standing alone is a byte of the message and stays as
 * it is. The spool and the wire keep CRLF; only the mailbox file differs.
 */
final class LfLineEnds implements ByteProcessor {
    private static final int CHUNK = 64 * 1024;

    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocate(CHUNK);
    private long position;
    /** The last byte seen was a CR, not written yet: it is dropped if an LF follows. */
    private boolean carriageReturn;
    /** A write failed: the copy stopped there. */
    private IOException failure;

    private LfLineEnds(FileChannel channel, long position) {
        this.channel = channel;
        this.position = position;
    }

    /**
     * Writes the readable bytes of {@code content} (its indexes are left alone) at {@code position},
     * CRLF as LF.
     *
     * @return the number of bytes written
     */
    static long write(ByteBuf content, FileChannel channel, long position) throws IOException {
        LfLineEnds copy = new LfLineEnds(channel, position);
        content.forEachByte(content.readerIndex(), content.readableBytes(), copy);
        if (copy.failure != null) {
            throw copy.failure;
        }
        if (copy.carriageReturn) {
            copy.put((byte) '\r');
        }
        copy.flush();
        return copy.position - position;
    }

    /** One byte of the message; false (stop) once a write failed. */
    @Override
    public boolean process(byte value) {
        try {
            if (carriageReturn) {
                carriageReturn = false;
                if (value != '\n') {
                    put((byte) '\r');
                }
            }
            if (value == '\r') {
                carriageReturn = true;
            } else {
                put(value);
            }
            return true;
        } catch (IOException e) {
            failure = e;
            return false;
        }
    }

    private void put(byte value) throws IOException {
        if (!out.hasRemaining()) {
            flush();
        }
        out.put(value);
    }

    private void flush() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            position += channel.write(out, position);
        }
        out.clear();
    }
}
