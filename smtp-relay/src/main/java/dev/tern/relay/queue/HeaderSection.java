package dev.tern.relay.queue;

import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spooled message's header section (RFC 5322 2.1: the lines before the first empty line), read from
 * the spool with a bound. Reads the disk: call it off the queue's thread and off event loops.
 *
 * @param text the header section, CRLF line ends as spooled; null when it could not be read
 * @param truncated the header section goes on past the bound
 */
record HeaderSection(String text, boolean truncated) {
    private static final Logger log = LoggerFactory.getLogger(HeaderSection.class);
    private static final int END_LENGTH = 4;

    static HeaderSection read(Spool spool, SpooledMessage message, int maxBytes) {
        ByteBuf head;
        try {
            head = spool.readContent(message, maxBytes);
        } catch (IOException | RuntimeException e) {
            // Finished and compacted meanwhile, or the disk failed: the envelope still says enough.
            log.warn("id={} could not read the header section: {}", message.id(), e.toString());
            return new HeaderSection(null, false);
        }
        try {
            return of(head, message.contentLength());
        } finally {
            head.release();
        }
    }

    /** The header section in {@code head}, the first octets of content {@code length} octets long. */
    static HeaderSection of(ByteBuf head, int length) {
        int start = head.readerIndex();
        for (int i = start; i + END_LENGTH <= head.writerIndex(); i++) {
            if (head.getByte(i) == '\r'
                    && head.getByte(i + 1) == '\n'
                    && head.getByte(i + 2) == '\r'
                    && head.getByte(i + 3) == '\n') {
                return new HeaderSection(head.toString(start, i + 2 - start, StandardCharsets.UTF_8), false);
            }
        }
        if (length > 0 && head.readableBytes() >= 2 && head.getByte(start) == '\r' && head.getByte(start + 1) == '\n') {
            // The message starts with the empty line: no header fields at all.
            return new HeaderSection("", false);
        }
        // No empty line: the whole message is headers, or the section goes on past what was read.
        return new HeaderSection(head.toString(StandardCharsets.UTF_8), head.readableBytes() < length);
    }
}
