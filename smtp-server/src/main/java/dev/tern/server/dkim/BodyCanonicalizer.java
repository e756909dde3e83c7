package dev.tern.server.dkim;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The body canonicalisation of RFC 6376 3.4.3 (simple) and 3.4.4 (relaxed), fed in chunks and written
 * straight into a digest, so a body of any size is hashed in place without a copy. Only CR LF ends a line;
 * a lone CR or LF is an ordinary octet. Empty lines are held back until a line with content follows them,
 * which drops those at the end of the body. At the end, a body whose last line has no CR LF gets one; an
 * empty body is CR LF for simple and nothing for relaxed (RFC 6376 3.4.3, 3.4.4 and erratum 3192). For
 * relaxed, white space at the end of the last, unterminated, line is kept as one space, as the RFC's order
 * of steps (and the dkimpy verifier) has it.
 */
final class BodyCanonicalizer {
    private static final byte[] CRLF = {'\r', '\n'};

    private final boolean relaxed;
    private final MessageDigest digest;
    /** Output buffer, so the digest gets runs of octets rather than single ones. */
    private final byte[] out = new byte[8192];
    /** Where off-heap input is copied to be scanned. */
    private final byte[] scratch = new byte[8192];

    private int outLength;
    private long emptyLines;
    private boolean lineHasContent;
    private boolean pendingSpace;
    private boolean pendingCr;
    private boolean wroteAny;

    BodyCanonicalizer(Canonicalization.Mode mode, MessageDigest digest) {
        this.relaxed = mode == Canonicalization.Mode.RELAXED;
        this.digest = digest;
    }

    void update(ByteBuffer chunk) {
        if (chunk.hasArray()) {
            byte[] array = chunk.array();
            int start = chunk.arrayOffset() + chunk.position();
            update(array, start, start + chunk.remaining());
        } else {
            // Off-heap memory is copied in slices into one small array, so the scan below runs on an array.
            ByteBuffer view = chunk.duplicate();
            while (view.hasRemaining()) {
                int n = Math.min(scratch.length, view.remaining());
                view.get(scratch, 0, n);
                update(scratch, 0, n);
            }
        }
    }

    void update(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            if (!pendingCr && !pendingSpace && emptyLines == 0) {
                // The common case, inside a line: octets that stay as they are go across in one copy.
                int run = i;
                while (run < to && unchanged(bytes, run, to)) {
                    run++;
                }
                if (run > i) {
                    put(bytes, i, run - i);
                    lineHasContent = true;
                    i = run;
                    if (i == to) {
                        return;
                    }
                }
            }
            accept(bytes[i++]);
        }
    }

    /**
     * Whether the octet at {@code i} passes unchanged whatever follows: not CR; for relaxed not white space,
     * except a single space between two such octets (the usual space between words).
     */
    private boolean unchanged(byte[] bytes, int i, int to) {
        byte b = bytes[i];
        if (b == '\r') {
            return false;
        }
        if (!relaxed) {
            return true;
        }
        if (b == '\t') {
            return false;
        }
        if (b != ' ') {
            return true;
        }
        if (i + 1 >= to) {
            return false;
        }
        byte next = bytes[i + 1];
        return next != ' ' && next != '\t' && next != '\r';
    }

    private void accept(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                endLine();
                return;
            }
            content((byte) '\r');
        }
        if (b == '\r') {
            pendingCr = true;
        } else if (relaxed && (b == ' ' || b == '\t')) {
            // RFC 6376 3.4.4: a run of white space is one space, and none at the end of a line.
            pendingSpace = true;
        } else {
            content(b);
        }
    }

    private void content(byte b) {
        flushEmptyLines();
        if (pendingSpace) {
            pendingSpace = false;
            put(' ');
        }
        put(b);
        lineHasContent = true;
    }

    private void endLine() {
        pendingSpace = false;
        if (lineHasContent) {
            put('\r');
            put('\n');
            lineHasContent = false;
        } else {
            emptyLines++;
        }
    }

    private void flushEmptyLines() {
        for (; emptyLines > 0; emptyLines--) {
            put('\r');
            put('\n');
        }
    }

    private void put(byte[] bytes, int from, int length) {
        wroteAny = true;
        while (length > 0) {
            if (outLength == out.length) {
                digest.update(out, 0, outLength);
                outLength = 0;
            }
            int n = Math.min(length, out.length - outLength);
            System.arraycopy(bytes, from, out, outLength, n);
            outLength += n;
            from += n;
            length -= n;
        }
    }

    private void put(int b) {
        if (outLength == out.length) {
            digest.update(out, 0, outLength);
            outLength = 0;
        }
        out[outLength++] = (byte) b;
        wroteAny = true;
    }

    /** Ends the body and returns the hash of its canonical form; the canonicalizer is used up. */
    byte[] finish() {
        if (pendingCr) {
            pendingCr = false;
            content((byte) '\r');
        }
        if (pendingSpace) {
            flushEmptyLines();
            pendingSpace = false;
            put(' ');
            lineHasContent = true;
        }
        if (lineHasContent) {
            put('\r');
            put('\n');
        }
        if (!wroteAny && !relaxed) {
            // RFC 6376 3.4.3: the simple form of an empty body is one CRLF.
            digest.update(CRLF);
        }
        digest.update(out, 0, outLength);
        outLength = 0;
        return digest.digest();
    }
}
