package dev.tern.relay.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads CRLF lines and counted octets from a socket, remembering which read each line came from. */
final class PeerInput {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private int reads;
    private int lastLineRead;

    PeerInput(InputStream in) {
        this.in = in;
    }

    /** The next line without CRLF (UTF-8), or null at the end of the stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            if (pos == limit && !fill()) {
                return null;
            }
            int b = buf[pos++] & 0xff;
            if (b == '\n' && prev == '\r') {
                byte[] bytes = line.toByteArray();
                lastLineRead = reads;
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            prev = b;
        }
    }

    /** The raw line with its CRLF, for DATA where bytes matter. */
    byte[] readRawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            if (pos == limit && !fill()) {
                throw new EOFException("end of stream in DATA");
            }
            int b = buf[pos++] & 0xff;
            line.write(b);
            if (b == '\n' && prev == '\r') {
                return line.toByteArray();
            }
            prev = b;
        }
    }

    byte[] readExactly(int n) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            if (pos == limit && !fill()) {
                throw new EOFException("end of stream in BDAT");
            }
            int chunk = Math.min(n - done, limit - pos);
            System.arraycopy(buf, pos, out, done, chunk);
            pos += chunk;
            done += chunk;
        }
        return out;
    }

    /** True when more input is already buffered (the client pipelined it). */
    boolean hasBuffered() throws IOException {
        return pos < limit || in.available() > 0;
    }

    /** The number of the socket read that delivered the last line. */
    int lastLineRead() {
        return lastLineRead;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        reads++;
        pos = 0;
        limit = n;
        return true;
    }
}
