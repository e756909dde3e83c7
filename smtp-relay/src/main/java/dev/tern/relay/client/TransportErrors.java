package dev.tern.relay.client;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Says what a transport failure was in the words an operator reads in a log line or a bounce
 * ({@code connection refused}, {@code connection timed out}), rather than an exception's class and
 * message ({@code io.netty.channel.AbstractChannel$AnnotatedConnectException: ...}). The socket
 * errors are the same on NIO and on the native transports, whose messages carry the C library's text.
 */
final class TransportErrors {
    private TransportErrors() {}

    /** A short text for {@code cause}, without class names or addresses (the log line names the peer). */
    static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connection timed out";
        }
        if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (cause instanceof PortUnreachableException) {
            return "port unreachable";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("refused")) {
            return "connection refused";
        }
        if (message.contains("timed out")) {
            return "connection timed out";
        }
        if (message.contains("reset by peer") || message.contains("connection reset")) {
            return "connection reset by the peer";
        }
        if (message.contains("broken pipe")) {
            return "connection closed by the peer (broken pipe)";
        }
        if (message.contains("no route")) {
            return "no route to host";
        }
        if (message.contains("unreachable")) {
            return "network unreachable";
        }
        // Something rarer: its message alone, which still says more than nothing.
        String what = cause instanceof ConnectException ? "connection failed" : "connection error";
        return message.isEmpty() ? what : what + ": " + withoutAddress(message);
    }

    /** Netty appends ": /192.0.2.1:25" to connect failures; the peer is named elsewhere. */
    private static String withoutAddress(String message) {
        int colon = message.lastIndexOf(": /");
        return colon > 0 ? message.substring(0, colon) : message;
    }
}
