package dev.tern.smtp;

/**
 * The argument of BDAT (RFC 3030 2): the chunk's size in octets and whether it is the last.
 *
 * @param size octets that follow the command at once
 * @param last the command carried {@code LAST}
 */
public record BdatChunk(long size, boolean last) {
    public BdatChunk {
        if (size < 0) {
            throw new IllegalArgumentException("chunk size must not be negative: " + size);
        }
    }
}
