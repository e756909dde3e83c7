package dev.tern.server.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a TLS renegotiation started by the client. RFC 5746 made renegotiation safe from splicing,
 * but each one costs the server a full handshake on demand and SMTP never needs one; TLS 1.3 dropped
 * it (RFC 8446 4.1.2). Sits in front of the server's SslHandler, so it sees the client's records
 * before they are decrypted, and follows their framing from the first byte: a 5-octet header (content
 * type, version, length; RFC 5246 6.2.1), which may arrive split across reads, then the body, skipped.
 * Only the headers are read, in place: no copy, a few octets per record.
 *
 * <p>In TLS 1.2 the client's part of the handshake ends with ChangeCipherSpec and then Finished, one
 * handshake record (RFC 5246 7.4.9). A handshake record after that can only start a new handshake: it
 * is never passed on; the connection is closed and that is logged once. This needs no word from the
 * SslHandler, so a renegotiation sent in the same read as the Finished is caught too. In TLS 1.3 every
 * record after the hellos is application data on the wire (RFC 8446 5), even a key update, so the rule
 * never fires there.
 */
final class TlsRenegotiationHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsRenegotiationHandler.class);

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    private static final int TYPE_OCTET = 0;
    private static final int LENGTH_HIGH_OCTET = 3;
    private static final int LENGTH_LOW_OCTET = 4;

    private enum Phase {
        /** Until the client's ChangeCipherSpec. */
        HANDSHAKE,
        /** The next handshake record is the client's Finished. */
        FINISHED_NEXT,
        /** The handshake is over: a handshake record now starts a renegotiation. */
        ESTABLISHED,
        /** Refused: the connection is closing, and nothing more is passed on. */
        REFUSED
    }

    private final String sessionId;
    private Phase phase = Phase.HANDSHAKE;
    /** Octets of the current record header read so far; 0 at a record boundary. */
    private int headerOctets;

    private int recordLength;
    /** Octets of the current record's body not yet passed. */
    private int bodyRemaining;

    TlsRenegotiationHandler(String sessionId) {
        this.sessionId = sessionId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.REFUSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf in && !follow(in)) {
            in.release();
            phase = Phase.REFUSED;
            log.warn("session={} TLS renegotiation started by the client refused; closing", sessionId);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Follows the record framing through {@code in}; false when a record starts a renegotiation. */
    private boolean follow(ByteBuf in) {
        int index = in.readerIndex();
        int end = in.writerIndex();
        while (index < end) {
            if (bodyRemaining > 0) {
                int skipped = Math.min(bodyRemaining, end - index);
                bodyRemaining -= skipped;
                index += skipped;
                continue;
            }
            int octet = in.getUnsignedByte(index++);
            switch (headerOctets++) {
                case TYPE_OCTET -> {
                    if (!recordStarts(octet)) {
                        return false;
                    }
                }
                case LENGTH_HIGH_OCTET -> recordLength = octet << 8;
                case LENGTH_LOW_OCTET -> {
                    bodyRemaining = recordLength | octet;
                    headerOctets = 0;
                }
                default -> {
                    // the two version octets
                }
            }
        }
        return true;
    }

    /** A record of {@code contentType} begins; false when it is a handshake after the handshake. */
    private boolean recordStarts(int contentType) {
        switch (phase) {
            case HANDSHAKE -> {
                if (contentType == CHANGE_CIPHER_SPEC) {
                    phase = Phase.FINISHED_NEXT;
                }
            }
            case FINISHED_NEXT -> {
                if (contentType == HANDSHAKE) {
                    phase = Phase.ESTABLISHED;
                }
            }
            case ESTABLISHED, REFUSED -> {
                return contentType != HANDSHAKE;
            }
        }
        return true;
    }
}
