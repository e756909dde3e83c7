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

    /**
     * A protection that refused a client something: a rate or abuse limit, a policy, a peer that is not an
     * SMTP client. Each value is one {@code limit} tag of {@code smtp.server.refusals} (docs/metrics.md).
     */
    enum Refusal {
        /** New connections per minute from one client address. */
        CONNECTION_RATE,
        /** Messages per minute from one client address. */
        MESSAGE_RATE,
        /** Recipients per minute from one client address. */
        RECIPIENT_RATE,
        /** Failed AUTH attempts from one client address within the window. */
        AUTH_FAILURES,
        /** Failed AUTH attempts for one user name, from any address, within the window. */
        AUTH_FAILURES_USER,
        /** New TLS handshakes per minute from one client address. */
        TLS_HANDSHAKE_RATE,
        /** Messages in one session. */
        MESSAGES_PER_SESSION,
        /** Errors in one session (the hard limit that closes it). */
        ERRORS,
        /** An authenticated user's MAIL FROM that it does not own. */
        SENDER_NOT_OWNED,
        /** Too little free space for the spool. */
        DISK_SPACE,
        /** The heap nearly full after a garbage collection (the queue lives there). */
        MEMORY,
        /** A peer that speaks HTTP or sends header lines instead of SMTP commands. */
        NOT_SMTP,
        /** A PROXY protocol header that is missing, malformed, or from an address not allowed to send one. */
        PROXY_HEADER,
        /** A TLS renegotiation started by the client. */
        TLS_RENEGOTIATION,
        /** Commands sent ahead where RFC 2920 allows none (limits.forbid-unauth-pipelining). */
        PIPELINING
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
        /** DKIM signing failed, or its queue ({@code dkim.max-pending}) was full. */
        SIGNING,
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

    /** A protection refused something; counted by kind, never by address. */
    default void refused(Refusal what) {}

    /** One read from a client delivered {@code bytes} octets (after TLS). */
    default void bytesReceived(long bytes) {}

    /**
     * A TLS handshake with a client on the named listener failed (after STARTTLS, or on the
     * implicit-TLS listener): no common version or cipher, a client that gave up, a timeout.
     */
    default void tlsFailed(String listener) {}
}
