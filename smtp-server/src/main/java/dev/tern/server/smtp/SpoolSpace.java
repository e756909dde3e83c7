package dev.tern.server.smtp;

/**
 * How many more octets the spool may take before its file system is down to the reserve
 * ({@code spool.min-free-space}, Postfix's queue_minfree); zero or less means none. Answered from a value
 * sampled off the event loop, so asking never touches the disk.
 */
@FunctionalInterface
public interface SpoolSpace {
    /** No limit: for tests and embedding. */
    SpoolSpace UNLIMITED = () -> Long.MAX_VALUE;

    long headroom();
}
