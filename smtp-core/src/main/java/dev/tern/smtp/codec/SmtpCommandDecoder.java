package dev.tern.smtp.codec;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpText;
import dev.tern.smtp.SmtpVerb;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns each command line (a {@link ByteBuf} without its CRLF, from the line decoder) into an
 * {@link SmtpCommand}: the verb is the text up to the first SP, the argument the text after it
 * (RFC 5321 4.1.1). Lines are read as UTF-8 (RFC 6531 3.3); a line that is not valid UTF-8 becomes
 * {@link SmtpReplies#INVALID_UTF8}, which the session writes back. Every other message (body
 * content, line errors) passes through unchanged.
 */
public final class SmtpCommandDecoder extends MessageToMessageDecoder<Object> {
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (!(msg instanceof ByteBuf line)) {
            // The superclass releases msg after decode; what we forward needs its own reference.
            out.add(ReferenceCountUtil.retain(msg));
            return;
        }
        String text = decodeLine(line);
        if (text == null) {
            out.add(SmtpReplies.INVALID_UTF8);
        } else if (SmtpText.hasLineBreak(text)) {
            // The line decoder never lets CR or LF through; refuse rather than trust it blindly.
            out.add(SmtpReplies.BARE_LINE_ENDING);
        } else {
            out.add(toCommand(text));
        }
    }

    static SmtpCommand toCommand(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        return new SmtpCommand(SmtpVerb.of(word), argument, line);
    }

    /** The line as text, or null when it is not well-formed UTF-8. */
    private String decodeLine(ByteBuf line) {
        int start = line.readerIndex();
        int length = line.readableBytes();
        if (line.forEachByte(start, length, b -> b >= 0) < 0) {
            return line.toString(start, length, StandardCharsets.US_ASCII); // the common case
        }
        try {
            ByteBuffer bytes = line.nioBufferCount() == 1 ? line.nioBuffer(start, length) : copy(line);
            return utf8.reset().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static ByteBuffer copy(ByteBuf line) {
        byte[] bytes = new byte[line.readableBytes()];
        line.getBytes(line.readerIndex(), bytes);
        return ByteBuffer.wrap(bytes);
    }
}
