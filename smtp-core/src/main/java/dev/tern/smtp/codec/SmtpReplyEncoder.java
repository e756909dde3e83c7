package dev.tern.smtp.codec;

import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.List;

/**
 * Writes a reply (RFC 5321 4.2): {@code code SP [status SP] text CRLF}, a multi-line reply as
 * {@code code-...} on every line but the last (RFC 5321 4.2.1). When the reply carries an enhanced
 * status code every line repeats it (RFC 2034 3). Text is written as UTF-8, which is US-ASCII for
 * every canned reply. Stateless, hence {@link Sharable}.
 */
@Sharable
public final class SmtpReplyEncoder extends MessageToByteEncoder<SmtpReply> {

    public SmtpReplyEncoder() {
        super(SmtpReply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, SmtpReply reply, ByteBuf out) {
        write(reply, out);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, SmtpReply reply, boolean preferDirect) {
        int estimate = 0;
        for (String line : reply.lines()) {
            estimate += line.length() + 16;
        }
        return preferDirect ? ctx.alloc().ioBuffer(estimate) : ctx.alloc().heapBuffer(estimate);
    }

    /** Appends the wire form of {@code reply} to {@code out}. */
    static void write(SmtpReply reply, ByteBuf out) {
        List<String> lines = reply.lines();
        String status = reply.status() == null ? null : reply.status().toString();
        for (int i = 0; i < lines.size(); i++) {
            boolean last = i == lines.size() - 1;
            String text = lines.get(i);
            ByteBufUtil.writeAscii(out, Integer.toString(reply.code()));
            boolean hasText = status != null || !text.isEmpty();
            if (!last) {
                out.writeByte('-');
            } else if (hasText || reply.code() == 334) {
                // RFC 4954 8: an AUTH challenge keeps its SP when it is empty ("334" SP [base64]).
                out.writeByte(' ');
            }
            if (status != null) {
                ByteBufUtil.writeAscii(out, status);
                if (!text.isEmpty()) {
                    out.writeByte(' ');
                }
            }
            ByteBufUtil.writeUtf8(out, text);
            out.writeByte('\r').writeByte('\n');
        }
    }
}
