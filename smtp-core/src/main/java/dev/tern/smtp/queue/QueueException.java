package dev.tern.smtp.queue;

/** A message could not be stored; {@link #isTemporary()} tells whether a retry may succeed. */
public final class QueueException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean temporary;

    public QueueException(String message, boolean temporary, Throwable cause) {
        super(message, cause);
        this.temporary = temporary;
    }

    public boolean isTemporary() {
        return temporary;
    }
}
