package dev.tern.smtp.codec;

import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpText;
import dev.tern.smtp.SmtpVerb;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A line another reader (a front end, a filter) may take for BDAT: after any white space or control octets,
 * {@code BDAT} in any case, then the line's end or an octet that is no letter. BDAT's chunk follows it without
 * waiting for a reply, so such a line must never be answered as a bad command and its chunk read as commands:
 * whatever makes it no BDAT here (a tab or a control character for its space, a bare CR or LF for its end, a
 * length past the limit, an octet that is not UTF-8) makes it a BDAT whose size cannot be read, which ends the
 * session.
 */
final class BdatLookalike {
    private BdatLookalike() {}

    /** Whether the octets {@code from} (inclusive) to {@code to} (exclusive) of {@code line} are such a line. */
    static boolean test(ByteBuf line, int from, int to) {
        return test(line, from, to, false);
    }

    /**
     * The same; {@code truncated}: the line goes on past {@code to} (it is too long to hold), so a window of
     * nothing but white space, control octets and octets past US-ASCII, or one ending inside {@code BDAT},
     * may be such a line too.
     */
    static boolean test(ByteBuf line, int from, int to, boolean truncated) {
        int i = from;
        while (i < to && blank(line.getByte(i))) {
            i++;
        }
        for (int k = 0; k < 4; k++) {
            if (i + k == to) {
                return truncated;
            }
            if ((line.getByte(i + k) | 0x20) != "bdat".charAt(k)) {
                return false;
            }
        }
        if (i + 4 == to) {
            return true;
        }
        int next = line.getByte(i + 4) | 0x20;
        return next < 'a' || next > 'z';
    }

    /**
     * White space or a control octet (a reader may strip it), DEL, or an octet past US-ASCII (NBSP, NEL, or a
     * byte of a UTF-8 space, which a reader decoding otherwise may strip too).
     */
    private static boolean blank(byte b) {
        int octet = b & 0xff;
        return octet <= ' ' || octet >= 0x7f;
    }

    /** The command that stands for such a line: BDAT without a size, which ends the session. */
    static SmtpCommand command(ByteBuf line, int from, int to) {
        String text = line.toString(from, to - from, StandardCharsets.ISO_8859_1);
        return new SmtpCommand(SmtpVerb.BDAT, "", SmtpText.printable(text, false));
    }
}
