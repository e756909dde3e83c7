package dev.tern.relay.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import java.util.ArrayDeque;

/**
 * Notes in which read each reply began, so that {@link ClientSessionHandler} can tell a reply to a
 * command from one the server sent before the command was written: the latter answers something
 * else (a doubled or unsolicited line) and must never be taken for the command's reply (RFC 5321
 * 4.2, RFC 2920 3.1: one reply per command, in order). Reads are numbered from 1; a command written
 * after read {@code n} can only be answered by a reply that began in a later read.
 *
 * <p>Sits in front of the reply decoder and follows the same framing: a line ends at LF, and a reply
 * ends with a line whose fourth octet is not {@code -} (RFC 5321 4.2.1). Malformed input is the
 * decoder's to refuse; it ends the connection.
 */
final class ReplyArrivals extends ChannelInboundHandlerAdapter {
    private static final int CONTINUATION_COLUMN = 3;

    /** The read in which each reply that has begun, and is not yet taken, began. */
    private final ArrayDeque<Long> starts = new ArrayDeque<>();

    private final ByteProcessor scanner = this::octet;
    private long reads;
    private int column;
    private boolean continued;
    private boolean inReply;

    /** How many reads have arrived so far. */
    long reads() {
        return reads;
    }

    /** The read in which the oldest reply not yet taken began; taken with it. */
    long takeStart() {
        Long start = starts.poll();
        // Nothing noted (a decoder fed by other means, as in unit tests): count it as new.
        return start == null ? Long.MAX_VALUE : start;
    }

    /** Forgets the plaintext after STARTTLS's 220 (RFC 3207 4.2): TLS starts a new stream. */
    void reset() {
        starts.clear();
        column = 0;
        continued = false;
        inReply = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            reads++;
            buf.forEachByte(scanner);
        }
        ctx.fireChannelRead(msg);
    }

    private boolean octet(byte b) {
        if (!inReply) {
            inReply = true;
            starts.add(reads);
        }
        if (column == CONTINUATION_COLUMN) {
            continued = b == '-';
        }
        column++;
        if (b == '\n') {
            inReply = continued;
            column = 0;
            continued = false;
        }
        return true;
    }
}
