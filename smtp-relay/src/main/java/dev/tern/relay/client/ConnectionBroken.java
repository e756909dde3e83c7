package dev.tern.relay.client;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a connection can carry no more replies: it fails every reply still awaited. A reply that
 * refuses something is never this; it is a value (an {@link dev.tern.smtp.SmtpReply}).
 */
final class ConnectionBroken extends Exception {

    /** What broke, which decides the enhanced status of the failure (RFC 3463). */
    enum Kind {
        /** No TCP connection came about (refused, unreachable, timed out). */
        CONNECT,
        /** The peer closed or reset the connection, or a write failed. */
        CLOSED,
        /** A reply did not come in time (RFC 5321 4.5.3.2). */
        TIMEOUT,
        /** The peer said something that is no answer to what was sent: client and server are out of step. */
        PROTOCOL,
        /** The TLS handshake or a TLS record failed. */
        TLS
    }

    private final Kind kind;

    ConnectionBroken(Kind kind, String reason) {
        // A transport event, not a bug: its stack trace would tell nothing.
        super(reason, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    String reason() {
        return getMessage();
    }

    /** The enhanced status for a transaction that broke this way. */
    String enhancedStatus() {
        return switch (kind) {
            case CONNECT -> "4.4.1"; // RFC 3463 3.5: no answer from host
            case CLOSED, TIMEOUT -> "4.4.2"; // bad connection
            case PROTOCOL -> "4.5.0"; // other or undefined protocol status
            case TLS -> "4.7.0";
        };
    }

    /**
     * The broken connection behind a failed stage, unwrapped; anything else is a bug in a step,
     * which ends the connection as well.
     */
    static ConnectionBroken of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof ConnectionBroken broken
                ? broken
                : new ConnectionBroken(Kind.PROTOCOL, "client error: " + cause);
    }
}
