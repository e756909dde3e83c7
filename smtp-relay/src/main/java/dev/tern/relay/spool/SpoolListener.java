package dev.tern.relay.spool;

/**
 * Hooks for metrics on the spool writer. Called on the writer thread: implementations must be cheap
 * and must not block.
 */
public interface SpoolListener {

    /** A listener that records nothing. */
    SpoolListener NONE = new SpoolListener() {};

    /** A batch of {@code records} records, {@code bytes} long, was written and forced in {@code nanos}. */
    default void batchWritten(int records, long bytes, long nanos) {}

    /**
     * A batch waited {@code nanos} for the messages of transactions still open ({@link
     * SpoolOptions#commitDelay()}) before it was written: until none was open, or the delay was over.
     */
    default void batchWaited(long nanos) {}

    /** A batch of {@code records} records could not be written; every caller got a temporary failure. */
    default void batchFailed(int records, Throwable cause) {}

    /**
     * The writer stopped on an unexpected error ({@code cause}): every caller waiting got a temporary failure,
     * and nothing more will be written until the spool is opened again.
     */
    default void writerStopped(Throwable cause) {}
}
