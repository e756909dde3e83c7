package dev.tern.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fields of a message's header section read in place: where a named field's value begins (its name in any case,
 * perhaps white space before the colon, RFC 5322 4.5); the Return-Path fields a message came with, which local
 * delivery and relaying leave out (the delivering server writes the one that holds the envelope's reverse-path,
 * and a message-originating system should not send one, RFC 5321 4.4, as Postfix's cleanup drops them: a
 * sender's own would stand beside the real one and could be read in its place); and the Delivered-To fields that
 * tell a message was delivered to a mailbox before (a forwarding loop, which Postfix's local delivery refuses the
 * same way).
 */
public final class HeaderFields {
    private static final String RETURN_PATH = "return-path";
    private static final String DELIVERED_TO = "delivered-to";

    private HeaderFields() {}

    /** Sees each line of the header section: where it begins and ends, and whether it continues a field. */
    private interface LineVisitor {
        /** @return false to stop */
        boolean line(int start, int end, boolean continuation);
    }

    /**
     * The parts of {@code content} to store, in order: slices of it (sharing its memory and its reference
     * count; nothing to release), cut where a Return-Path field begins and after its last continuation line.
     * A message without such a field is one slice, the whole of it.
     */
    public static List<ByteBuf> withoutReturnPath(ByteBuf content) {
        List<ByteBuf> parts = new ArrayList<>(2);
        int[] keptFrom = {content.readerIndex()};
        boolean[] removing = {false};
        int end = headerLines(content, (start, lineEnd, continuation) -> {
            if (!continuation) {
                boolean returnPath = valueStart(content, start, lineEnd, RETURN_PATH) >= 0;
                if (returnPath && !removing[0]) {
                    add(parts, content, keptFrom[0], start);
                    removing[0] = true;
                } else if (!returnPath && removing[0]) {
                    keptFrom[0] = start;
                    removing[0] = false;
                }
            }
            return true;
        });
        add(parts, content, removing[0] ? end : keptFrom[0], content.writerIndex());
        return parts;
    }

    /**
     * Whether a Delivered-To field of the header section names {@code address} (in any case, white space
     * around it ignored): the message was delivered to that mailbox before and came back.
     */
    public static boolean deliveredTo(ByteBuf content, String address) {
        String wanted = address.toLowerCase(Locale.ROOT);
        boolean[] found = {false};
        headerLines(content, (start, lineEnd, continuation) -> {
            int value = continuation ? -1 : valueStart(content, start, lineEnd, DELIVERED_TO);
            if (value >= 0) {
                String text = content.toString(value, lineEnd - value, StandardCharsets.UTF_8);
                found[0] = text.strip().toLowerCase(Locale.ROOT).equals(wanted);
            }
            return !found[0];
        });
        return found[0];
    }

    /**
     * Walks the lines of the header section (RFC 5322 2.1: up to the first empty line) until {@code visitor}
     * stops; returns where the walk ended (the empty line's start, or the end of the message).
     */
    private static int headerLines(ByteBuf content, LineVisitor visitor) {
        int end = content.writerIndex();
        int index = content.readerIndex();
        while (index < end) {
            byte first = content.getByte(index);
            if (first == '\n' || first == '\r' && index + 1 < end && content.getByte(index + 1) == '\n') {
                break;
            }
            int lf = ByteBufUtil.indexOf(content, index, end, (byte) '\n');
            int lineEnd = lf < 0 ? end : lf + 1;
            // RFC 5322 2.2.3: a line starting with white space continues the field before it.
            if (!visitor.line(index, lineEnd, first == ' ' || first == '\t')) {
                break;
            }
            index = lineEnd;
        }
        return index;
    }

    /**
     * Where the value of the field on the line {@code [from, to)} begins when the field is {@code name} (given in
     * lower case; in the message in any case, perhaps white space before its colon: RFC 5322 4.5), else -1.
     */
    public static int valueStart(ByteBuf line, int from, int to, String name) {
        if (to - from <= name.length()) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            int b = line.getByte(from + i);
            if ((b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b) != name.charAt(i)) {
                return -1;
            }
        }
        int i = from + name.length();
        while (i < to && (line.getByte(i) == ' ' || line.getByte(i) == '\t')) {
            i++;
        }
        return i < to && line.getByte(i) == ':' ? i + 1 : -1;
    }

    private static void add(List<ByteBuf> parts, ByteBuf content, int from, int to) {
        if (to > from) {
            parts.add(content.slice(from, to - from));
        }
    }
}
