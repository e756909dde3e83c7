package dev.tern.smtp.codec;

/**
 * The end of a BDAT chunk (RFC 3030 2): every octet announced by the BDAT command was emitted as
 * {@link DataContent}, and {@link SmtpLineDecoder} is back in command mode.
 */
public enum ChunkEnd {
    INSTANCE
}
