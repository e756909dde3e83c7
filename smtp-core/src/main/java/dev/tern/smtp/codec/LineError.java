package dev.tern.smtp.codec;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;

/**
 * What {@link SmtpLineDecoder} emits in command mode instead of a line it refuses. The session turns
 * each into one error reply, so replies stay in step with the lines the client sent.
 */
public enum LineError {
    /** The line exceeded the command line limit (RFC 5321 4.5.3.1.4); its bytes were discarded. */
    TOO_LONG(SmtpReplies.LINE_TOO_LONG),
    /**
     * The line held a CR not followed by LF or an LF not preceded by CR (RFC 5321 2.3.8), emitted as
     * soon as that octet is seen; the whole line is discarded.
     */
    BARE_LINE_ENDING(SmtpReplies.BARE_LINE_ENDING),
    /** {@link #TOO_LONG}, of a line another reader may take for BDAT ({@link BdatLookalike}). */
    BDAT_TOO_LONG(SmtpReplies.LINE_TOO_LONG),
    /** {@link #BARE_LINE_ENDING}, of a line (or the part after a bare CR) another reader may take for BDAT. */
    BDAT_BARE_LINE_ENDING(SmtpReplies.BARE_LINE_ENDING);

    private final SmtpReply reply;

    LineError(SmtpReply reply) {
        this.reply = reply;
    }

    /**
     * Whether the refused line may be read as BDAT by another reader: its chunk's end cannot be known, so a
     * session reading commands ends there (a BDAT without a size); an AUTH exchange refuses it as the line it is.
     */
    public boolean mayBeBdat() {
        return this == BDAT_TOO_LONG || this == BDAT_BARE_LINE_ENDING;
    }

    /** The reply that refuses the line. */
    public SmtpReply reply() {
        return reply;
    }
}
