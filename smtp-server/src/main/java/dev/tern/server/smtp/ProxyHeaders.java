package dev.tern.server.smtp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * What Tern needs to know of the PROXY protocol (HAProxy's {@code doc/proxy-protocol.txt}) beyond
 * Netty's decoder: how a header begins, so that one can be recognised where none is allowed.
 */
final class ProxyHeaders {
    private ProxyHeaders() {}

    /** Section 2.1: a version 1 header is a text line beginning with "PROXY" and a space. */
    private static final byte[] V1_START = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    /** Section 2.2: the 12-octet signature of a version 2 (binary) header. */
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    enum Start {
        /** The octets begin a PROXY header. */
        HEADER,
        /** The octets cannot begin one. */
        NOT_HEADER,
        /** Too few octets to tell, and what there is could still begin one. */
        UNDECIDED
    }

    /**
     * Whether {@code bytes} begin a PROXY header. Netty's {@code HAProxyMessageDecoder.detectProtocol} wants
     * 12 octets even to say no, which a client's first {@code QUIT} does not reach; this answers as soon as
     * the octets differ from both beginnings, so an SMTP client (whose first octet is a letter of its
     * command, or a TLS record type) is never held back.
     */
    static Start startOf(ByteBuf bytes) {
        Start v1 = compare(bytes, V1_START);
        Start v2 = compare(bytes, V2_SIGNATURE);
        if (v1 == Start.HEADER || v2 == Start.HEADER) {
            return Start.HEADER;
        }
        return v1 == Start.UNDECIDED || v2 == Start.UNDECIDED ? Start.UNDECIDED : Start.NOT_HEADER;
    }

    private static Start compare(ByteBuf bytes, byte[] start) {
        int n = Math.min(bytes.readableBytes(), start.length);
        for (int i = 0; i < n; i++) {
            if (bytes.getByte(bytes.readerIndex() + i) != start[i]) {
                return Start.NOT_HEADER;
            }
        }
        return n == start.length ? Start.HEADER : Start.UNDECIDED;
    }
}
