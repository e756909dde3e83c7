package dev.tern.server.tls;

/** TLS material that cannot be read, parsed or written; the message names the file. */
public final class TlsMaterialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean unwritable;

    public TlsMaterialException(String message) {
        this(message, null, false);
    }

    public TlsMaterialException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param unwritable the material could not be written where it belongs (the data directory not writable by
     *     Tern's user): the host's to mend, not the configuration's
     */
    public TlsMaterialException(String message, Throwable cause, boolean unwritable) {
        super(message, cause);
        this.unwritable = unwritable;
    }

    /** Whether the material could not be written (the host's to mend), not read or parsed (the configuration's). */
    public boolean unwritable() {
        return unwritable;
    }
}
