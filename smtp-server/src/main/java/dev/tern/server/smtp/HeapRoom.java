package dev.tern.server.smtp;

/**
 * Whether the heap still has room for more mail. Every queued message is on the heap until it is delivered, so a
 * queue that only grows (its destinations down for hours) would run the heap out; past a mark, new mail is refused
 * for now ({@code 452 4.3.1}) and senders try again later, as a full disk refuses it. Answered from a flag set after
 * each garbage collection, so asking costs nothing.
 */
@FunctionalInterface
public interface HeapRoom {
    /** Never full: for tests and embedding. */
    HeapRoom UNLIMITED = () -> false;

    /** True while the heap in use after the last garbage collection is above the mark. */
    boolean full();
}
