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
 * {@link SmtpCommand}: the verb is the text up to the first SP (RFC 5321 4.1.1) or HTAB (as Postfix splits
 * words), the argument the text after it. A line that is no command but that a lenient reader could take
 * for BDAT is a BDAT without a size, which ends the session, so that its chunk is never read as commands. Lines are read as UTF-8 (RFC 6531 3.3); a line that is not valid UTF-8 becomes
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
        boolean bdat = BdatLookalike.test(line, line.readerIndex(), line.writerIndex());
        if (text == null || SmtpText.hasLineBreak(text)) {
            // The line decoder never lets CR or LF through; refuse rather than trust it blindly.
            out.add(
                    bdat
                            ? BdatLookalike.command(line, line.readerIndex(), line.writerIndex())
                            : text == null ? SmtpReplies.INVALID_UTF8 : SmtpReplies.BARE_LINE_ENDING);
        } else {
            out.add(toCommand(text, bdat));
        }
    }

    /** {@code bdat}: the line {@linkplain BdatLookalike may be read as BDAT}. */
    static SmtpCommand toCommand(String line, boolean bdat) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != ' ' && line.charAt(end) != '\t') {
            end++;
        }
        SmtpVerb verb = SmtpVerb.of(line.substring(0, end));
        if (verb == SmtpVerb.UNKNOWN && bdat) {
            // BDAT's chunk follows it without waiting for a reply: a line another reader (a front end) may take
            // for BDAT must never have its chunk read as commands here. Without a size it ends the session.
            return new SmtpCommand(SmtpVerb.BDAT, "", line);
        }
        return new SmtpCommand(verb, end < line.length() ? line.substring(end + 1) : "", line);
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
