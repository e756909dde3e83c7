package dev.tern.server.auth;

/** A users file that cannot be read or has a bad line; the message names the file and line. */
public final class UserFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserFileException(String message) {
        super(message);
    }

    public UserFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
