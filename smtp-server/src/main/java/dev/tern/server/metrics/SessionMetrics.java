package dev.tern.server.metrics;

import dev.tern.smtp.SmtpVerb;

/**
 * The recorder the inbound pipeline calls. Every call happens on a channel's event loop, so
 * implementations must be cheap, lock-free and allocation-free: no string building, no map look-up
 * per byte (bytes are reported once per read).
 */
public interface SessionMetrics {

    /** Records nothing. */
    SessionMetrics NOOP = new SessionMetrics() {};

    /** Why a connection was refused before its session began. */
    enum ConnectionRejection {
        /** {@code limits.max-connections} reached. */
        GLOBAL,
        /** {@code limits.max-connections-per-ip} reached. */
        PER_IP
    }

    /** Why a complete message was refused. */
    enum MessageRejection {
        SIZE,
        LINE_LENGTH,
        BARE_LINE_ENDING,
        LOOP,
        /** {@code limits.max-header-size} or {@code limits.max-header-fields} exceeded. */
        HEADER,
        MEMORY,
        QUEUE_ERROR,
        OTHER
    }

    /** A connection was admitted on the named listener. */
    default void connectionOpened(String listener) {}

    /** An admitted connection closed. */
    default void connectionClosed(String listener) {}

    default void connectionRejected(ConnectionRejection reason) {}

    /** A session ended; whether TLS and AUTH were in effect at its end. */
    default void sessionEnded(boolean tls, boolean authenticated) {}

    /** A command got its final reply (intermediate 334 and 354 are not final). */
    default void command(SmtpVerb verb, int replyCode) {}

    /** A message was spooled; {@code bytes} as stored, our trace fields included. */
    default void messageAccepted(long bytes) {}

    default void messageRejected(MessageRejection reason) {}

    /** One read from a client delivered {@code bytes} octets (after TLS). */
    default void bytesReceived(long bytes) {}
}
