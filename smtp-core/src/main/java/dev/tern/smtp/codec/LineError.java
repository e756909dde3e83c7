package dev.tern.smtp.codec;

/**
 * What {@link SmtpLineDecoder} emits in command mode instead of a line it refuses. The session turns
 * each into one error reply, so replies stay in step with the lines the client sent.
 */
public enum LineError {
    /** The line exceeded the command line limit (RFC 5321 4.5.3.1.4); its bytes were discarded. */
    TOO_LONG,
    /**
     * The line held a CR not followed by LF or an LF not preceded by CR (RFC 5321 2.3.8); the whole
     * line was discarded.
     */
    BARE_LINE_ENDING
}
