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
        int i = from;
        while (i < to && (line.getByte(i) & 0xff) <= ' ') {
            i++;
        }
        if (to - i < 4) {
            return false;
        }
        for (int k = 0; k < 4; k++) {
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

    /** The command that stands for such a line: BDAT without a size, which ends the session. */
    static SmtpCommand command(ByteBuf line, int from, int to) {
        String text = line.toString(from, to - from, StandardCharsets.ISO_8859_1);
        return new SmtpCommand(SmtpVerb.BDAT, "", SmtpText.printable(text, false));
    }
}
