package dev.tern.server.tls;

/** TLS material that cannot be read, parsed or written; the message names the file. */
public final class TlsMaterialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsMaterialException(String message) {
        super(message);
    }

    public TlsMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
