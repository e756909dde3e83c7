package dev.tern.smtp.codec;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpText;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Client side: reads replies (RFC 5321 4.2) into {@link SmtpReply} values, one per complete reply,
 * joining the lines of a multi-line reply (RFC 5321 4.2.1). Lines end with CRLF, or a bare LF (as
 * Postfix's client reads them); a bare CR, an over-long line, a malformed code or a code that changes inside one reply is a protocol
 * error: a {@link DecoderException} is raised and everything after it is discarded, so the caller
 * closes the connection. An enhanced status code (RFC 3463) at the start of the text is lifted into
 * {@link SmtpReply#status()} when its class matches the reply code (RFC 2034 3). At most {@value #MAX_READ_TEXT}
 * characters of a reply's text are read into memory; lines past them are read, checked and dropped.
 */
public final class SmtpReplyDecoder extends ByteToMessageDecoder {
    /** RFC 5321 4.5.3.1.5 allows 512 octets; we are liberal in what we accept. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 4096;
    /** A reply with more lines than this is not an SMTP server talking. */
    static final int MAX_LINES = 100;

    /**
     * The most text of one reply read into memory, its lines together: an EHLO reply's keywords come well within it
     * (RFC 5321 lines are at most 512 octets), and a hostile reply (100 lines of 4 KiB to every pipelined RCPT) holds
     * at most this much while it waits to be read, not 400 KB. The line that crosses it is cut, later lines dropped.
     */
    static final int MAX_READ_TEXT = 16 * 1024;

    private enum State {
        READ_LINE,
        FAILED
    }

    private final int maxLineLength;
    private final List<String> lines = new ArrayList<>();
    private State state = State.READ_LINE;
    private int code;
    /** Text of the reply under way read into memory so far. */
    private int kept;

    public SmtpReplyDecoder() {
        this(DEFAULT_MAX_LINE_LENGTH);
    }

    /** @param maxLineLength the longest reply line accepted, CRLF excluded */
    public SmtpReplyDecoder(int maxLineLength) {
        if (maxLineLength < 3) {
            throw new IllegalArgumentException("maxLineLength must hold a reply code: " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_LINE -> readLines(in, out);
            case FAILED -> in.skipBytes(in.readableBytes());
        }
    }

    private void readLines(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            int scanEnd = Math.min(in.writerIndex(), start + maxLineLength + 2);
            int lf = in.indexOf(start, scanEnd, (byte) '\n');
            if (lf < 0) {
                if (in.readableBytes() > maxLineLength + 1) {
                    fail(in, "reply line longer than " + maxLineLength + " octets");
                }
                return;
            }
            // RFC 5321 2.3.8: lines end with CRLF. A reply line ending in a bare LF is taken as Postfix's client
            // takes it (its record terminator is CRLF or LF alone): refusing it would only keep mail from a
            // server that is merely sloppy. A CR anywhere else is an error.
            int textEnd = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            if (in.indexOf(start, textEnd, (byte) '\r') >= 0) {
                fail(in, "bare CR in reply");
            }
            String line = withoutControls(in.toString(start, textEnd - start, StandardCharsets.UTF_8));
            in.readerIndex(lf + 1);
            SmtpReply reply = readLine(in, line);
            if (reply != null) {
                out.add(reply);
            }
        }
    }

    /**
     * The line with every control or format character but TAB (C0, DEL, C1, a bidi override, a line or
     * paragraph separator: {@link SmtpText#isControlOrFormat}) as {@code ?}: a reply's text ends up in logs and
     * reports, where an escape sequence or a reordering from a hostile server must not reach a reader. UTF-8
     * text stays (RFC 6531 replies may carry it); octets that are not UTF-8 are already U+FFFD.
     */
    static String withoutControls(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (isControl(line.charAt(i))) {
                StringBuilder clean = new StringBuilder(line);
                for (int j = i; j < clean.length(); j++) {
                    if (isControl(clean.charAt(j))) {
                        clean.setCharAt(j, '?');
                    }
                }
                return clean.toString();
            }
        }
        return line;
    }

    private static boolean isControl(char c) {
        return c != '\t' && SmtpText.isControlOrFormat(c);
    }

    /** Adds one line to the reply under way; returns the reply when this line was its last. */
    private SmtpReply readLine(ByteBuf in, String line) {
        int lineCode = parseCode(line);
        if (lineCode < 0) {
            fail(in, "malformed reply line: " + abbreviate(line));
        }
        if (!lines.isEmpty() && lineCode != code) {
            fail(in, "reply code changed from " + code + " to " + lineCode + " within one reply");
        }
        code = lineCode;
        if (kept < MAX_READ_TEXT || lines.isEmpty()) {
            String text = SmtpReply.cut(line.length() > 4 ? line.substring(4) : "", MAX_READ_TEXT - kept);
            kept += Math.max(1, text.length());
            lines.add(text);
        }
        if (lines.size() > MAX_LINES) {
            fail(in, "reply longer than " + MAX_LINES + " lines");
        }
        // Reply-line: Reply-code "-" for every line but the last, SP or nothing on the last.
        if (line.length() > 3 && line.charAt(3) == '-') {
            return null;
        }
        SmtpReply reply = EnhancedStatusText.toReply(code, lines);
        lines.clear();
        kept = 0;
        return reply;
    }

    /** The code of a reply line, or -1 (RFC 5321 4.2: 2xx..5xx, then SP, "-" or the line end). */
    private static int parseCode(String line) {
        if (line.length() < 3 || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            return -1;
        }
        char c0 = line.charAt(0);
        char c1 = line.charAt(1);
        char c2 = line.charAt(2);
        if (c0 < '2' || c0 > '5' || c1 < '0' || c1 > '9' || c2 < '0' || c2 > '9') {
            return -1;
        }
        return (c0 - '0') * 100 + (c1 - '0') * 10 + (c2 - '0');
    }

    private void fail(ByteBuf in, String message) {
        state = State.FAILED;
        lines.clear();
        kept = 0;
        in.skipBytes(in.readableBytes());
        throw new DecoderException(message);
    }

    private static String abbreviate(String line) {
        return line.length() <= 40 ? line : line.substring(0, 40) + "...";
    }

    /** Lifts a leading enhanced status code out of the reply text (RFC 2034 3). */
    static final class EnhancedStatusText {
        private EnhancedStatusText() {}

        static SmtpReply toReply(int code, List<String> lines) {
            String first = lines.get(0);
            int prefix = statusLength(first);
            String written = prefix < 0 ? null : first.substring(0, prefix);
            EnhancedStatus status = written == null ? null : EnhancedStatus.parse(written);
            if (status == null || status.statusClass() != code / 100) {
                return new SmtpReply(code, null, lines);
            }
            List<String> texts = new ArrayList<>(lines.size());
            for (String line : lines) {
                // Every line should repeat the code; strip it only where it is the same one.
                if (line.startsWith(written) && (line.length() == prefix || line.charAt(prefix) == ' ')) {
                    texts.add(line.length() == prefix ? "" : line.substring(prefix + 1));
                } else {
                    texts.add(line);
                }
            }
            return new SmtpReply(code, status, texts);
        }

        /** Length of a {@code class.subject.detail} prefix followed by SP or the end, or -1. */
        static int statusLength(String text) {
            if (text.length() < 5 || "245".indexOf(text.charAt(0)) < 0 || text.charAt(1) != '.') {
                return -1;
            }
            int pos = digits(text, 2);
            if (pos < 0 || pos >= text.length() || text.charAt(pos) != '.') {
                return -1;
            }
            pos = digits(text, pos + 1);
            if (pos < 0 || (pos < text.length() && text.charAt(pos) != ' ')) {
                return -1;
            }
            return pos;
        }

        /** The index after 1..3 digits starting at {@code from}, or -1. */
        private static int digits(String text, int from) {
            int pos = from;
            while (pos < text.length() && pos - from < 4 && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            return pos == from || pos - from > 3 ? -1 : pos;
        }
    }
}
