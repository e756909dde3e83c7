package dev.tern.server.management;

/**
 * An admin token file that cannot be read or has a bad line; the message names the file and the line,
 * never a token.
 */
public final class AdminTokenFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AdminTokenFileException(String message) {
        super(message);
    }

    AdminTokenFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
