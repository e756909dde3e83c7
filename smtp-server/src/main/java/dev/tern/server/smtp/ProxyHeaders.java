package dev.tern.server.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * What Tern needs to know of the PROXY protocol (HAProxy's {@code doc/proxy-protocol.txt}) beyond
 * Netty's decoder: which client a decoded header names, and how a header begins, so that one can be
 * recognised where none is allowed.
 */
final class ProxyHeaders {
    private ProxyHeaders() {}

    /** Section 2.1: a version 1 header is a text line beginning with "PROXY" and a space. */
    private static final byte[] V1_START = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    /** Section 2.2: the 12-octet signature of a version 2 (binary) header. */
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /**
     * The client a header names: its source address and port, for TCP or UDP over IPv4 or IPv6. A LOCAL
     * command (the balancer's own health check, section 2.2), the v1 {@code UNKNOWN} protocol and the
     * UNSPEC and UNIX families carry no client: the receiver "must use the real connection endpoints"
     * (sections 2.1 and 2.2), so the peer stays the client.
     */
    static InetSocketAddress client(HAProxyMessage header, InetSocketAddress peer) {
        if (header.command() != HAProxyCommand.PROXY) {
            return peer;
        }
        return switch (header.proxiedProtocol().addressFamily()) {
            case AF_IPv4, AF_IPv6 -> {
                // A literal, never a name: no DNS on the event loop.
                InetAddress source = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
                if (source == null) {
                    throw new HAProxyProtocolException("not an address: " + header.sourceAddress());
                }
                yield new InetSocketAddress(source, header.sourcePort());
            }
            case AF_UNSPEC, AF_UNIX -> peer;
        };
    }

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
