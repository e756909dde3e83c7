package dev.tern.smtp.codec;

import dev.tern.smtp.SmtpCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Client side: writes a command as its line and CRLF (RFC 5321 2.3.8). The line is UTF-8, which
 * only differs from US-ASCII when the transaction uses SMTPUTF8 (RFC 6531). {@link SmtpCommand}
 * refuses CR and LF at construction, so a command cannot inject a second one. Stateless.
 */
@Sharable
public final class SmtpCommandEncoder extends MessageToByteEncoder<SmtpCommand> {

    public SmtpCommandEncoder() {
        super(SmtpCommand.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, SmtpCommand command, ByteBuf out) {
        ByteBufUtil.writeUtf8(out, command.line());
        out.writeByte('\r').writeByte('\n');
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, SmtpCommand command, boolean preferDirect) {
        int estimate = ByteBufUtil.utf8MaxBytes(command.line()) + 2;
        return preferDirect ? ctx.alloc().ioBuffer(estimate) : ctx.alloc().heapBuffer(estimate);
    }
}
