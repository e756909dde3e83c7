package dev.tern.smtp.codec;

/**
 * The end of a DATA body: CRLF "." CRLF was received (RFC 5321 4.1.1.4). Emitted by {@link
 * SmtpLineDecoder} after the last {@link DataContent} of the message, after which it is back in
 * command mode. Either flag set means the body broke the rules and must be refused as a whole.
 *
 * @param lineTooLong some text line exceeded the text line limit (RFC 5321 4.5.3.1.6)
 * @param bareLineEnding some CR was not followed by LF, or some LF not preceded by CR (RFC 5321
 *     2.3.8)
 */
public record DataEnd(boolean lineTooLong, boolean bareLineEnding) {

    /** Whether the body may be accepted. */
    public boolean isClean() {
        return !lineTooLong && !bareLineEnding;
    }
}
